"""Each fact has one source: the release URLs and size names (moganet_mm/sizes.py and
moganet_mm/releases.py), the list of codebases and the way a codebase's model is built
(moganet_mm/codebases.py). A second copy anywhere in the checkout fails here; the
model index and the tables rendered from it are generated from the sources."""
import re
import subprocess

from tools.paths import REPO

#: the two files that may write a release URL
RELEASE_SOURCES = {'moganet_mm/sizes.py', 'moganet_mm/releases.py'}
#: generated from them by .dev_scripts/model_index.py
GENERATED = re.compile(r'(configs/\w+/metafile\.yml|model-index\.yml)')
#: the blocks of README.md and docs/ that .dev_scripts/model_index.py renders
RENDERED = re.compile(r'<!-- model-index:(\S+) begin -->.*?<!-- model-index:\1 end -->', re.S)


def tracked_files():
    """The checkout's files but the fixtures and this checker."""
    out = subprocess.run(['git', 'ls-files'], cwd=REPO, capture_output=True, text=True, check=True)
    return [
        f for f in out.stdout.splitlines() if (REPO / f).is_file() and not (REPO / f).is_symlink()
        and not f.startswith('tests/data/') and f != 'tests/test_single_source.py'
    ]


def text_of(name):
    text = (REPO / name).read_text(errors='replace')
    return RENDERED.sub('', text) if name.endswith('.md') else text


def test_release_urls_live_in_the_release_tables():
    copies = [
        f for f in tracked_files() if f not in RELEASE_SOURCES and not GENERATED.fullmatch(f)
        and 'releases/download' in text_of(f)
    ]
    assert not copies, f'release URLs outside {sorted(RELEASE_SOURCES)}: {copies}'


def test_size_names_and_drop_paths_live_in_the_size_table():
    """No second table of the sizes: ``xt`` -> ``xtiny`` or a per-size drop path."""
    pattern = re.compile(r"""['"]?\bxt\b['"]?\s*[:=]\s*(['"]xtiny['"]|0\.05\b)""")
    copies = [
        f for f in tracked_files()
        if f.endswith('.py') and f != 'moganet_mm/sizes.py' and pattern.search(text_of(f))
    ]
    assert not copies, copies


def test_one_list_of_codebases():
    """A literal holding all four codebase names is moganet_mm/codebases.py's alone."""
    names = ('mmdet', 'mmseg', 'mmpose', 'mmpretrain')
    literal = re.compile(r'[\[({][^\[\](){}]*[\])}]', re.S)
    # the GPU image's import check lists modules to import, the codebases among them,
    # before moganet_mm itself may import
    import_lists = {'moganet_mm/codebases.py', 'tools/gpu/env_check.py'}
    copies = []
    for f in tracked_files():
        if f.endswith('.py') and f not in import_lists:
            for m in literal.finditer(text_of(f)):
                quoted = set(re.findall(r"""['"](mm\w+)['"]""", m.group(0)))
                if set(names) <= quoted:
                    copies.append(f)
    assert not copies, copies


def test_codebase_models_are_built_in_one_place():
    """``register_all_modules`` (a codebase's registry set-up) is called by
    moganet_mm/codebases.py only; everything else builds through it."""
    copies = [
        f for f in tracked_files() if f.endswith('.py') and f.split('/')[0] != 'tests'
        and f != 'moganet_mm/codebases.py' and 'register_all_modules' in text_of(f)
    ]
    assert not copies, copies


def test_one_version():
    from moganet_mm import __version__
    from moganet_mm.version import __version__ as version
    assert __version__ == version
    copies = [
        f for f in tracked_files() if f.endswith('.py') and f != 'moganet_mm/version.py'
        and not f.startswith('tests/')  # tests may write other packages' version files
        and re.search(r"""__version__\s*=\s*['"]""", text_of(f))
    ]
    assert not copies, copies


def test_the_checkout_runs_alone():
    """Fixtures and tables are inside the repo: nothing but the history in docs/notes/
    names the folder beside the checkout they once came from."""
    outside = ('../' + 'shared', 'MOGANET_MM_' + 'SHARED')
    mentions = [
        f for f in tracked_files()
        if not f.startswith('docs/notes/') and any(s in text_of(f) for s in outside)
    ]
    assert not mentions, mentions
