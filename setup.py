from setuptools import find_packages, setup


def readme():
    with open('README.md', encoding='utf-8') as f:
        return f.read()


setup(
    name='moganet_mm',
    version='0.1.0',
    description='MogaNet backbone and configs for OpenMMLab 2.0 '
    '(mmdet 3.x, mmseg 1.x, mmpose 1.x, mmpretrain 1.x)',
    long_description=readme(),
    long_description_content_type='text/markdown',
    # tools/ is a package too (demo runner, toy data, model zoo, converters), installed
    # beside moganet_mm so that `python tools/X.py` imports it without sys.path edits
    packages=find_packages(include=['moganet_mm', 'moganet_mm.*', 'tools', 'tools.*']),
    python_requires='>=3.8',
    # The full pinned stack lives in requirements/; `make install` installs it.
    install_requires=['torch', 'mmengine>=0.10', 'mmcv>=2.0'],
    license='Apache License 2.0',
)
