"""moganet_mm: ``pip install .`` (or ``-e .``). The configs, the model index and the
metafiles travel inside the package, in ``moganet_mm/.mim/``, as in OpenMMLab's own
packages: copied into wheels and sdists, linked for editable installs."""
import os
import os.path as osp
import shutil
import sys
from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))
#: what ``mim`` and :func:`moganet_mm.get_config_path` find under moganet_mm/.mim/
MIM_FILES = ('configs', 'model-index.yml')


def readme():
    with open(osp.join(HERE, 'README.md'), encoding='utf-8') as f:
        return f.read()


def version():
    scope = {}
    with open(osp.join(HERE, 'moganet_mm', 'version.py'), encoding='utf-8') as f:
        exec(f.read(), scope)
    return scope['__version__']


def add_mim_extension():
    """Put the configs and the model index into moganet_mm/.mim/: links for an
    editable install, copies for a wheel or an sdist (mmdet's ``add_mim_extension``)."""
    if {'develop', 'editable_wheel'} & set(sys.argv):
        mode = 'symlink'
    elif {'sdist', 'bdist_wheel', 'build', 'build_py'} & set(sys.argv):
        mode = 'copy'
    else:
        return
    mim_path = osp.join(HERE, 'moganet_mm', '.mim')
    os.makedirs(mim_path, exist_ok=True)
    for name in MIM_FILES:
        src, dst = osp.join(HERE, name), osp.join(mim_path, name)
        if not osp.exists(src):  # building a wheel from an sdist: .mim is already there
            continue
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if mode == 'symlink':
            os.symlink(osp.relpath(src, mim_path), dst)
        elif osp.isdir(src):
            shutil.copytree(src, dst)  # follows links: configs/_base_/moganet_sizes.py
        else:
            shutil.copyfile(src, dst)


add_mim_extension()
setup(
    name='moganet_mm',
    version=version(),
    description='MogaNet backbone and configs for OpenMMLab 2.0 '
    '(mmdet 3.x, mmseg 1.x, mmpose 1.x, mmpretrain 1.x)',
    long_description=readme(),
    long_description_content_type='text/markdown',
    url='https://github.com/Westlake-AI/MogaNet',
    packages=find_packages(include=['moganet_mm', 'moganet_mm.*']),
    include_package_data=True,
    python_requires='>=3.8',
    # The full pinned stack lives in requirements/; `make install` installs it.
    install_requires=['torch', 'mmengine>=0.10', 'mmcv>=2.0'],
    extras_require={'deploy': ['onnx', 'onnxscript', 'onnxruntime', 'openvino']},
    entry_points={
        'console_scripts': [
            'moganet-swap = moganet_mm.swap.cli:main',
            'moganet-export = moganet_mm.deploy.cli:main',
            'moganet-convert-mm = moganet_mm.converters.moganet_to_mm:main',
            'moganet-convert-mmpretrain = moganet_mm.converters.moganet_to_mmpretrain:main',
            'moganet-convert-openstl = moganet_mm.converters.openstl_to_mm:main',
        ]
    },
    license='Apache License 2.0',
    zip_safe=False,
)
