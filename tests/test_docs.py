"""Every command that README.md and the reference pages (``docs/*.md``; not
``docs/notes/``, the history) show is checked, so that the docs cannot go stale unseen.

How the test picks what to check, which is also the rule for writing the docs:

- Code goes in fenced blocks that name a language: ``bash`` for commands, ``python``
  for Python, ``text`` (or any other) for output. Inline code is prose.
- A ``python`` block runs, in a fresh interpreter, and must exit 0, unless its first
  line is ``# not run: <reason>``. A block whose first line is ``# <name>.py`` is a
  config file: it is written under that name and must load with
  ``mmengine.config.Config.fromfile``.
- A ``bash`` block tagged by the line ``<!-- docs-test: run -->`` just above its fence
  runs as written, every command in it, and must exit 0 (keep such blocks to commands
  that run offline in seconds). In the other blocks each command (continuation lines
  joined, comments dropped) is run as written when it is cheap and offline, i.e. it ends
  in ``--help`` / ``-h`` or is a ``mim search``; any other command is checked without
  being run: its program answers ``--help`` and that help names every ``--option`` the
  command uses (``mim train`` / ``mim test`` and ``tools/train.py`` pass their options on
  to the codebase's own script, so only the program is checked), a ``make`` target is in
  the Makefile, ``mim download`` names model-index entries that have weights, and each
  ``--cfg-options`` key leads into the config the command names. Programs the test
  knows: the checkout's scripts (``tools/``, ``.dev_scripts/``, through ``python`` or
  ``torchrun``), ``python -m <module>``, the console scripts installed beside the
  interpreter (``moganet-*``, ``mim``) and ``make``; others (``pip``, ...) are not
  checked.
- Everywhere, prose included: a path under ``moganet_mm/``, ``tools/``, ``tests/``,
  ``configs/``, ``.dev_scripts/``, ``paper_tables/``, ``docs/`` or ``requirements/``
  exists (and ``tests/<file>.py::<name>`` names a test in that file), a relative
  Markdown link points at a file, a dotted name ``moganet_mm.<...>`` in inline code
  resolves, and ``make <target>`` in inline code is a target.

Commands run in a scratch folder that links the checkout's ``configs``, ``tools``,
``.dev_scripts``, ``tests`` and ``paper_tables`` (what a command writes, an ONNX file or
a config, stays out of the checkout). ``.venv/bin/`` means the folder of the
interpreter running this test, which also comes first on ``PATH``, so ``python``,
``mim`` and ``moganet-swap`` written bare are the same programs. The ``--help`` checks
run in one interpreter (each program's ``main`` or ``__main__`` with ``--help``) so
that torch is imported once. The static checks take seconds; the tests that run
commands are marked ``slow`` (about a minute and a half on 2 cores).
"""
import importlib
import json
import os
import re
import shlex
import subprocess
import sys
import textwrap
from functools import lru_cache
from pathlib import Path
from typing import List, NamedTuple, Optional, Tuple

import pytest
import yaml

from tools.paths import REPO

PAGES = ['README.md'] + sorted(str(p.relative_to(REPO)) for p in (REPO / 'docs').glob('*.md'))
BIN = Path(sys.executable).parent
LINKED = ('configs', 'tools', '.dev_scripts', 'tests', 'paper_tables')
RUN_TAG = '<!-- docs-test: run -->'
NOT_RUN = re.compile(r'# not run: \S')
CONFIG_FILE = re.compile(r'# ([\w.-]+\.py)$')
#: programs whose options belong to the codebase script they start
PASS_THROUGH = {('mim', 'train'), ('mim', 'test'), ('mim', 'run'), ('script', 'tools/train.py')}
SHELL_OPS = {'&&', '||', ';', '|'}
PATH_RE = re.compile(r'(?<![\w/.:~-])((?:moganet_mm|tools|tests|configs|\.dev_scripts|paper_tables'
                     r'|docs|requirements)/[\w.*/-]*)(::\w+)?')
LINK_RE = re.compile(r'\]\(([^)\s]+)\)')
INLINE_RE = re.compile(r'`([^`\n]+)`')
DOTTED_RE = re.compile(r'moganet_mm(\.[A-Za-z_]\w*)+(\(\))?')
FLAG_RE = re.compile(r'(?<![\w-])(--[A-Za-z][\w-]*)')


class Block(NamedTuple):
    page: str
    line: int
    lang: str
    text: str
    tagged: bool


class Command(NamedTuple):
    page: str
    line: int
    tokens: Tuple[str, ...]
    tagged: bool

    @property
    def where(self) -> str:
        return f'{self.page}:{self.line}'


def read(page: str) -> str:
    return (REPO / page).read_text()


@lru_cache(maxsize=None)
def blocks_of(page: str) -> Tuple[Block, ...]:
    """The fenced code blocks of a page."""
    lines, out, i = read(page).split('\n'), [], 0
    while i < len(lines):
        m = re.match(r'\s*```(\S*)\s*$', lines[i])
        if not m:
            i += 1
            continue
        start, lang = i, m.group(1)
        i += 1
        while i < len(lines) and not re.match(r'\s*```\s*$', lines[i]):
            i += 1
        above = next((ln.strip() for ln in reversed(lines[:start]) if ln.strip()), '')
        out.append(
            Block(page, start + 1, lang, textwrap.dedent('\n'.join(lines[start + 1:i])),
                  above == RUN_TAG))
        i += 1
    return tuple(out)


def prose_of(page: str) -> str:
    """The page without its fenced blocks."""
    return re.sub(r'^\s*```.*?^\s*```\s*$', '', read(page), flags=re.S | re.M)


def commands_in(block: Block) -> List[Command]:
    """The shell commands of a bash block: continuation lines joined, comments and
    environment assignments dropped, ``a && b`` split."""
    out, line, start = [], '', 0
    for n, raw in enumerate(block.text.split('\n')):
        if not line:
            start = n
        line += raw[:-1] + ' ' if raw.endswith('\\') else raw
        if raw.endswith('\\'):
            continue
        tokens = shlex.split(line, comments=True)
        line = ''
        cmd: List[str] = []
        for tok in tokens + [';']:
            if tok in SHELL_OPS:
                while cmd and re.fullmatch(r'[A-Z_][A-Z0-9_]*=\S*', cmd[0]):
                    cmd.pop(0)
                if cmd:
                    out.append(
                        Command(block.page, block.line + 1 + start, tuple(cmd), block.tagged))
                cmd = []
            else:
                cmd.append(tok)
    return out


def all_blocks(lang: Optional[str] = None) -> List[Block]:
    return [b for p in PAGES for b in blocks_of(p) if lang is None or b.lang == lang]


def all_commands() -> List[Command]:
    return [c for b in all_blocks('bash') for c in commands_in(b)]


def program_of(cmd: Command):
    """(kind, target, args) of a command: kind is 'script' (a checkout script),
    'module' (python -m), 'console' (a console script beside the interpreter), 'mim',
    'make', or None for programs the test does not know."""
    t = list(cmd.tokens)
    name = os.path.basename(t[0])
    if name == 'torchrun':
        i = next((i for i, a in enumerate(t) if a.endswith('.py')), None)
        return ('script', t[i], t[i + 1:]) if i is not None else (None, name, t[1:])
    if name in ('python', 'python3'):
        if t[1] == '-m':
            return 'module', t[2], t[3:]
        if t[1] == '-c':
            return None, 'python -c', t[2:]
        return 'script', t[1], t[2:]
    if t[0].endswith('.py'):
        return 'script', t[0], t[1:]
    if name == 'mim':
        return 'mim', t[1], t[2:]
    if name == 'make':
        return 'make', 'make', t[1:]
    if name.startswith('moganet-'):
        return 'console', name, t[1:]
    return None, name, t[1:]


def runs_as_written(cmd: Command) -> bool:
    kind, target, args = program_of(cmd)
    return kind is not None and (cmd.tokens[-1] in ('--help', '-h') or
                                 (kind, target) == ('mim', 'search'))


def command_id(cmd: Command) -> str:
    return f'{cmd.where}:{os.path.basename(cmd.tokens[0])}'


def scratch_folder(tmp_path: Path) -> Path:
    for name in LINKED:
        (tmp_path / name).symlink_to(REPO / name)
    return tmp_path


def env() -> dict:
    return dict(os.environ, PATH=f'{BIN}{os.pathsep}{os.environ.get("PATH", "")}', MPLBACKEND='Agg')


def as_here(text: str) -> str:
    return text.replace('.venv/bin/', f'{BIN}/')


# ------------------------------------------------------------------ the docs' shape
def test_the_pages_show_what_a_newcomer_needs():
    """The README's getting-started commands are there, and the parser finds them."""
    cmds = [' '.join(c.tokens) for c in all_commands() if c.page == 'README.md']
    for wanted in ('mim train mmdet configs/det/', '--cfg-options', 'mim download moganet_mm',
                   'mim test mmdet', 'moganet-swap mmdet::', 'moganet-export configs/'):
        assert any(wanted in c for c in cmds), wanted
    assert any(b.page == 'README.md' and 'moganet_mm.deploy' in b.text
               for b in all_blocks('python'))
    assert len(all_commands()) > 50 and len(all_blocks('python')) > 10


@pytest.mark.parametrize('page', PAGES)
def test_fences_name_a_language(page):
    unnamed = [b.line for b in blocks_of(page) if not b.lang]
    assert not unnamed, f'{page}: code blocks without a language at lines {unnamed}'


@pytest.mark.parametrize('page', PAGES)
def test_named_paths_and_links_exist(page):
    text, missing = read(page), []
    for m in PATH_RE.finditer(text):
        path, test = m.group(1).rstrip('.'), m.group(2)
        nxt = text[m.end(1):m.end(1) + 1]
        if '*' in path:
            ok = any(REPO.glob(path))
        elif nxt in '{<':  # a pattern: the folder before it must exist
            ok = (REPO / path[:path.rfind('/') + 1]).exists()
        else:
            ok = (REPO / path).exists()
            if ok and test:
                ok = re.search(rf'^\s*(def|class) {test[2:]}\b', (REPO / path).read_text(),
                               re.M) is not None
        if not ok:
            missing.append(path + (test or ''))
    for m in LINK_RE.finditer(prose_of(page)):
        target = m.group(1).split('#')[0]
        if target and '://' not in target and not target.startswith('mailto:'):
            if not ((REPO / page).parent / target).exists():
                missing.append(f'link {m.group(1)}')
    assert not missing, f'{page} names what does not exist: {missing}'


@pytest.mark.parametrize('page', PAGES)
def test_dotted_names_resolve(page):
    bad = []
    for m in INLINE_RE.finditer(prose_of(page)):
        name = m.group(1)
        if not DOTTED_RE.fullmatch(name):
            continue
        parts = name.rstrip('()').split('.')
        for i in range(len(parts), 0, -1):
            try:
                obj = importlib.import_module('.'.join(parts[:i]))
                break
            except ImportError:
                continue
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            bad.append(name)
    assert not bad, f'{page}: {bad}'


@lru_cache(maxsize=None)
def make_targets() -> frozenset:
    return frozenset(re.findall(r'^([\w-]+):', (REPO / 'Makefile').read_text(), re.M))


@pytest.mark.parametrize('page', PAGES)
def test_make_targets_exist(page):
    named = re.findall(r'`make ([\w-]+)', prose_of(page))
    named += [
        t for c in all_commands() if c.page == page and program_of(c)[0] == 'make'
        for t in program_of(c)[2] if not t.startswith('-') and '=' not in t
    ]
    assert set(named) <= make_targets(), f'{page}: {sorted(set(named) - make_targets())}'


@lru_cache(maxsize=None)
def index_weights() -> dict:
    """model-index entry -> its weights URL (None where it has none)."""
    out = {}
    for metafile in (REPO / 'configs').glob('*/metafile.yml'):
        for model in yaml.safe_load(metafile.read_text())['Models']:
            out[model['Name']] = model.get('Weights')
    return out


@pytest.mark.parametrize('page', PAGES)
def test_mim_download_names_released_models(page):
    texts = [' '.join(c.tokens) for c in all_commands() if c.page == page]
    texts += [m.group(1) for m in INLINE_RE.finditer(prose_of(page))]
    bad = []
    for text in texts:
        if 'mim download' in text:
            for name in re.findall(r'--config (\S+)', text):
                if not index_weights().get(name):
                    bad.append(name)
    assert not bad, f'{page}: no released weights in the model index for {bad}'


@lru_cache(maxsize=None)
def load_config(path: str):
    from mmengine.config import Config
    return Config.fromfile(str(REPO / path))


def cfg_option_commands():
    out = []
    for c in all_commands():
        if '--cfg-options' in c.tokens:
            configs = [t for t in c.tokens if re.fullmatch(r'configs/[\w/.-]+\.py', t)]
            if configs:
                out.append((c, configs[0]))
    return out


@pytest.mark.parametrize(
    'cmd,config', cfg_option_commands(), ids=[command_id(c) for c, _ in cfg_option_commands()])
def test_cfg_options_lead_into_the_config(cmd, config):
    cfg = load_config(config).to_dict()
    i = cmd.tokens.index('--cfg-options')
    for option in cmd.tokens[i + 1:]:
        if option.startswith('-'):
            break
        node = cfg
        for part in option.split('=', 1)[0].split('.')[:-1]:
            if isinstance(node, (list, tuple)) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                node = node.get(part) if isinstance(node, dict) else None
            assert isinstance(node, (dict, list, tuple)), f'{option}: {part} is not in {config}'


def config_blocks():
    return [b for b in all_blocks('python') if CONFIG_FILE.fullmatch(b.text.split('\n')[0])]


@pytest.mark.parametrize(
    'block', config_blocks(), ids=[f'{b.page}:{b.line}' for b in config_blocks()])
def test_config_files_load(block, tmp_path):
    from mmengine.config import Config
    scratch = scratch_folder(tmp_path)
    name = CONFIG_FILE.fullmatch(block.text.split('\n')[0]).group(1)
    (scratch / name).write_text(block.text)
    cwd = os.getcwd()
    os.chdir(scratch)
    try:
        cfg = Config.fromfile(name)
    finally:
        os.chdir(cwd)
    assert cfg.get('model'), f'{block.page}:{block.line}: {name} has no model'


# ------------------------------------------------------------------ commands that run
def mim_searches():
    return [c for c in all_commands() if program_of(c)[:2] == ('mim', 'search')]


@pytest.mark.parametrize('cmd', mim_searches(), ids=[command_id(c) for c in mim_searches()])
def test_mim_search_examples(cmd, tmp_path):
    out = subprocess.run(
        as_here(shlex.join(cmd.tokens)),
        shell=True,
        cwd=scratch_folder(tmp_path),
        env=env(),
        capture_output=True,
        text=True,
        timeout=300)
    assert out.returncode == 0 and 'config id:' in out.stdout, out.stderr[-2000:]


HARVEST = r'''
import contextlib, io, json, os, runpy, sys, traceback
from importlib.metadata import entry_points


def call(kind, target, args):
    out, argv = io.StringIO(), sys.argv
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            try:
                sys.argv = [target, *args]
                if kind == 'script':  # as python does, the script's folder comes first
                    sys.path.insert(0, os.path.dirname(os.path.realpath(target)))
                    runpy.run_path(target, run_name='__main__')
                elif kind == 'module':
                    runpy.run_module(target, run_name='__main__', alter_sys=True)
                elif kind == 'console':
                    ep, = entry_points(group='console_scripts', name=target)
                    sys.exit(ep.load()())
                elif kind == 'mim':
                    from mim.cli import cli
                    cli.main(args=list(args), prog_name='mim')
                rc = 0
            except SystemExit as e:
                rc = 0 if e.code is None else e.code if isinstance(e.code, int) else 1
            except BaseException:
                traceback.print_exc(file=out)
                rc = 1
    finally:
        sys.argv = argv
    return [rc, out.getvalue()]


jobs = json.loads(open(sys.argv[1]).read())
results = [call(*job) for job in jobs]
open(sys.argv[2], 'w').write(json.dumps(results))
'''


def help_job(cmd: Command, sub: Optional[str] = None):
    """What to run for the command's help: its own args when it asks for help."""
    kind, target, args = program_of(cmd)
    if runs_as_written(cmd):
        return kind, target, tuple(args)
    if kind == 'mim':
        return 'mim', 'mim', (target, '--help')
    return kind, target, ((sub, ) if sub else ()) + ('--help', )


def harvest(jobs, folder: Path) -> dict:
    """Each job's (exit status, output), from one interpreter."""
    jobs = sorted(set(jobs))
    (folder / 'jobs.json').write_text(json.dumps([[k, t, list(a)] for k, t, a in jobs]))
    out = subprocess.run([sys.executable, '-c', HARVEST, 'jobs.json', 'results.json'],
                         cwd=folder,
                         env=env(),
                         capture_output=True,
                         text=True,
                         timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    results = json.loads((folder / 'results.json').read_text())
    return {job: tuple(r) for job, r in zip(jobs, results)}


def checked_commands():
    return [
        c for c in all_commands()
        if not c.tagged and program_of(c)[0] not in (None, 'make') and program_of(c)[:2] not in (
            ('mim', 'search'), ('mim', 'download'))
    ]


@pytest.fixture(scope='module')
def helps(tmp_path_factory):
    folder = scratch_folder(tmp_path_factory.mktemp('docs_help'))
    cmds = checked_commands()
    found = harvest([help_job(c) for c in cmds], folder)
    # options of a subcommand (check_dataset.py coco --img-dir): ask the subcommand
    subs = []
    for c in cmds:
        kind, target, args = program_of(c)
        text = found[help_job(c)][1]
        positional = next((a for a in args if not a.startswith('-')), None)
        if (any(f not in text for f in FLAG_RE.findall(' '.join(args))) and positional
                and re.fullmatch(r'[a-z][\w-]*', positional)):
            subs.append(help_job(c, positional))
    if subs:
        found.update(harvest(subs, folder))
    return found


@pytest.mark.slow
@pytest.mark.parametrize('cmd', checked_commands(), ids=[command_id(c) for c in checked_commands()])
def test_commands_answer_help_and_know_their_options(cmd, helps):
    kind, target, args = program_of(cmd)
    rc, text = helps[help_job(cmd)]
    assert rc == 0 and 'usage' in text.lower(), f'{cmd.where}: {" ".join(cmd.tokens)}\n{text}'
    if runs_as_written(cmd) or (kind, target) in PASS_THROUGH:
        return
    if kind == 'console':
        assert (BIN / target).is_file(), f'{target} is not installed beside {sys.executable}'
    unknown = [f for f in FLAG_RE.findall(' '.join(args)) if f not in text]
    positional = next((a for a in args if not a.startswith('-')), None)
    if unknown and positional and help_job(cmd, positional) in helps:
        sub = helps[help_job(cmd, positional)][1]
        unknown = [f for f in unknown if f not in sub]
    assert not unknown, f'{cmd.where}: {target} does not know {unknown}'


def tagged_blocks():
    return [b for b in all_blocks('bash') if b.tagged]


@pytest.mark.slow
@pytest.mark.parametrize(
    'block', tagged_blocks(), ids=[f'{b.page}:{b.line}' for b in tagged_blocks()])
def test_tagged_command_blocks_run(block, tmp_path):
    out = subprocess.run(['bash', '-ec', as_here(block.text)],
                         cwd=scratch_folder(tmp_path),
                         env=env(),
                         capture_output=True,
                         text=True,
                         timeout=600)
    assert out.returncode == 0, f'{block.page}:{block.line}\n{(out.stdout + out.stderr)[-3000:]}'


def python_snippets():
    """The python blocks that run, each text once (README and a page may share one)."""
    seen, out = set(), []
    for b in all_blocks('python'):
        first = b.text.split('\n')[0]
        if NOT_RUN.match(first) or CONFIG_FILE.fullmatch(first) or b.text in seen:
            continue
        seen.add(b.text)
        out.append(b)
    return out


@pytest.mark.slow
@pytest.mark.parametrize(
    'block', python_snippets(), ids=[f'{b.page}:{b.line}' for b in python_snippets()])
def test_python_snippets_run(block, tmp_path):
    scratch = scratch_folder(tmp_path)
    (scratch / 'snippet.py').write_text(block.text)
    out = subprocess.run([sys.executable, 'snippet.py'],
                         cwd=scratch,
                         env=env(),
                         capture_output=True,
                         text=True,
                         timeout=600)
    assert out.returncode == 0, f'{block.page}:{block.line}\n{out.stderr[-3000:]}'


def test_not_run_blocks_say_why():
    """``# not run`` needs a reason, and is for blocks that cannot run offline in seconds."""
    for b in all_blocks('python'):
        first = b.text.split('\n')[0]
        if first.startswith('# not run'):
            assert NOT_RUN.match(first), f'{b.page}:{b.line}: {first}'
