"""Maps the hexagonal root folders onto one import name, ``synth_ai``.

``domain/`` -> ``synth_ai.domain``, ``ports/`` -> ``synth_ai.ports``, ``adapters/`` ->
``synth_ai.adapters`` and ``entrypoints/`` -> ``synth_ai``. Sub-packages are discovered, so a
new folder with an ``__init__.py`` needs no edit here. No bare ``domain`` or ``adapters``
module is ever installed.
"""

from setuptools import find_packages, setup

ROOTS = {
    "synth_ai": "entrypoints",
    "synth_ai.domain": "domain",
    "synth_ai.ports": "ports",
    "synth_ai.adapters": "adapters",
}

packages = []
for name, folder in ROOTS.items():
    packages.append(name)
    packages += [f"{name}.{sub}" for sub in find_packages(folder)]

setup(
    packages=packages,
    package_dir=ROOTS,
    package_data={
        "synth_ai": ["py.typed", "examples/*.py", "examples/data/*"],
        "synth_ai.adapters.postgres": ["migrations/*.sql"],
        # The dashboard (/ui): plain files, no build step; vendored libraries with their licences.
        "synth_ai.http": ["ui/*.html", "ui/*.css", "ui/*.js", "ui/pages/*.js", "ui/vendor/*.md", "ui/vendor/*/*"],
    },
)
