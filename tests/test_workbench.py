"""The workbench: ``tools/`` is one importable package, every tool runs as a script
and as a module, nothing edits ``sys.path``, and no module of the project imports
itself back through a cycle."""
import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from tools.paths import REPO

TOOLS = sorted(str(p.relative_to(REPO)) for p in (REPO / 'tools').rglob('*.py')
               if p.read_text().startswith('#!/usr/bin/env python'))


def test_every_tool_is_found():
    assert {'tools/demo/det.py', 'tools/demo/seg.py', 'tools/demo/pose.py', 'tools/demo/cls.py',
            'tools/analysis/model_zoo.py', 'tools/analysis/benchmark.py', 'tools/train.py',
            'tools/check_reference.py', 'tools/model_converters/moganet_to_mm.py'} <= set(TOOLS)


@pytest.mark.parametrize('tool', TOOLS)
def test_tool_runs_as_script_and_imports_as_module(tool, tmp_path):
    """``python tools/x/y.py --help`` from another folder finds the package without
    any path edit; ``tools.x.y`` imports as a module (what ``python -m`` runs)."""
    out = subprocess.run([sys.executable, str(REPO / tool), '--help'], cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert 'usage' in out.stdout.lower(), out.stdout[-500:]
    module = importlib.import_module(tool[:-3].replace('/', '.'))
    assert Path(module.__file__) == REPO / tool


def test_a_tool_runs_with_python_m(tmp_path):
    out = subprocess.run([sys.executable, '-m', 'tools.demo.det', '--help'], cwd=REPO,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and '--data-root' in out.stdout, out.stderr[-2000:]


def test_nothing_edits_sys_path():
    offenders = [f'{p.relative_to(REPO)}:{i}' for top in ('tools', 'tests', 'moganet_mm')
                 for p in (REPO / top).rglob('*.py')
                 for i, line in enumerate(p.read_text().splitlines(), 1)
                 if 'sys.path' in line and p.name != Path(__file__).name]
    offenders += [str(p.relative_to(REPO)) for top in ('tools', 'tests', 'moganet_mm')
                  for p in (REPO / top).rglob('*.py')
                  if 'spec_from_file_location' in p.read_text() and p.name != Path(__file__).name]
    assert not offenders, offenders


def module_imports(path: Path, name: str, package: bool):
    """The project modules that ``path`` (module ``name``) imports at module level."""
    parts = name.split('.')
    base = parts if package else parts[:-1]
    out = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ''
            if node.level:
                mod = '.'.join(base[:len(base) - node.level + 1] + ([mod] if mod else []))
            out.add(mod)
            out.update(f'{mod}.{alias.name}' for alias in node.names)
    return out


def project_modules():
    modules = {}
    for top in ('moganet_mm', 'tools'):
        for p in (REPO / top).rglob('*.py'):
            rel = p.relative_to(REPO).with_suffix('')
            package = p.name == '__init__.py'
            name = '.'.join(rel.parts[:-1] if package else rel.parts)
            modules[name] = (p, package)
    return modules


def test_no_import_cycle():
    modules = project_modules()
    graph = {name: {m for m in module_imports(p, name, pkg) if m in modules and m != name}
             for name, (p, pkg) in modules.items()}
    # importing a.b.c runs a and a.b first: a child importing its own package is a
    # cycle only if the package (transitively) imports the child, which the search sees
    state, stack = {}, []

    def visit(node):
        state[node] = 'open'
        stack.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == 'open':
                raise AssertionError('import cycle: ' + ' -> '.join(stack[stack.index(nxt):] + [nxt]))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 'done'

    for node in graph:
        if node not in state:
            visit(node)
    assert graph['moganet_mm.models.backbones.moganet'] >= {'moganet_mm.checkpoint'}


def test_the_library_does_not_import_tools():
    modules = project_modules()
    leaks = {name: sorted(m for m in module_imports(p, name, pkg) if m.startswith('tools'))
             for name, (p, pkg) in modules.items() if name.startswith('moganet_mm')}
    assert not any(leaks.values()), leaks
