"""docker-compose.yml and its image are consistent with the code they start.

Plain file parsing: no Docker engine, no database, no settings. Each check fails with the name
of what went missing, for example when a management command, the Celery app or the WSGI module
is renamed without updating the stack.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import shlex
from collections.abc import Iterator
from functools import cache
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.foundation

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / "infra" / "docker" / "env.example"
SETTINGS_BASE = REPO / "platform" / "config" / "settings" / "base.py"

REQUIRED_SERVICES = {"postgres", "redis", "migrate", "web", "worker", "beat"}
# The mail services (issue 4) run the same image with their own management command.
MAIL_SERVICES = {"lmtp", "postfix", "dovecot", "opendkim"}
APP_SERVICES = {"migrate", "web", "worker", "beat"} | MAIL_SERVICES
SHELLS = {"sh", "bash"}
PYTHONS = {"python", "python3"}
# Folders of the repository that hold no sources of ours.
NOT_SOURCES = {".git", ".venv", "var", "node_modules", "build", "dist", "__pycache__"}
# Environment variables that belong to the process, not to the platform's settings.
PROCESS_VARIABLES = {"PATH", "HOME", "PYTHONPATH", "PYTHONUNBUFFERED"}


@pytest.fixture(autouse=True)
def _public_schema_and_fresh_routing() -> Iterator[None]:
    """Overrides the suite's autouse fixture of that name: these tests touch no cache or database."""
    yield


# --- reading the files ------------------------------------------------------------------------


@cache
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "docker-compose.yml is not a mapping"
    return data


def services() -> dict[str, dict[str, Any]]:
    found = compose().get("services")
    assert isinstance(found, dict), "docker-compose.yml has no services"
    return found


def app_services() -> dict[str, dict[str, Any]]:
    return {name: services()[name] for name in sorted(APP_SERVICES & services().keys())}


def build_of(service: dict[str, Any]) -> tuple[Path, Path]:
    """(context, Dockerfile) of a service's build section, as paths in the repository."""
    build = service["build"]
    if isinstance(build, str):
        build = {"context": build}
    context = (COMPOSE_FILE.parent / build.get("context", ".")).resolve()
    return context, context / build.get("dockerfile", "Dockerfile")


@cache
def dockerfile_lines(path: Path) -> tuple[str, ...]:
    """Instructions of a Dockerfile, continuation lines joined, comments dropped."""
    lines: list[str] = []
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        lines.append(pending + stripped)
        pending = ""
    return tuple(lines)


def dockerfile_arg(path: Path, name: str) -> str | None:
    for line in dockerfile_lines(path):
        match = re.fullmatch(rf"ARG\s+{name}=(\S+)", line)
        if match:
            return match.group(1)
    return None


def container_to_repo(service: dict[str, Any]) -> tuple[PurePosixPath, Path]:
    """Where the Dockerfile copies the build context to (its WORKDIR before `COPY . .`)."""
    context, dockerfile = build_of(service)
    workdir = PurePosixPath("/")
    for line in dockerfile_lines(dockerfile):
        instruction, _, rest = line.partition(" ")
        if instruction.upper() == "WORKDIR":
            workdir = workdir / rest.strip()
        elif instruction.upper() == "COPY" and rest.split()[-2:] in (
            [".", "."],
            [".", "./"],
            [".", str(workdir)],
        ):
            return workdir, context
    pytest.fail(f"{dockerfile.relative_to(REPO)} never copies the build context (COPY . .)")


def working_dir_in_repo(service: dict[str, Any]) -> Path:
    """The repository folder that is the service's working directory inside the container."""
    root_in_container, root_in_repo = container_to_repo(service)
    working_dir = PurePosixPath(service.get("working_dir") or str(root_in_container))
    assert working_dir.is_relative_to(root_in_container), (
        f"working_dir {working_dir} is outside the copied project ({root_in_container})"
    )
    return root_in_repo / working_dir.relative_to(root_in_container)


def command_argv(command: str | list[str]) -> list[list[str]]:
    """Each program invocation of a compose command; `sh -c "a && b"` yields a and b."""
    argv = shlex.split(command) if isinstance(command, str) else [str(part) for part in command]
    if argv and argv[0] in SHELLS and "-c" in argv:
        script = argv[argv.index("-c") + 1]
        invocations: list[list[str]] = []
        current: list[str] = []
        lexer = shlex.shlex(script, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        for token in lexer:
            if token in {"&&", "||", ";", "|"}:
                if current:
                    invocations.append(current)
                current = []
            else:
                current.append(token)
        if current:
            invocations.append(current)
        return invocations
    return [argv]


def invocations() -> Iterator[tuple[str, dict[str, Any], list[str]]]:
    for name, service in app_services().items():
        assert "command" in service, f"service {name} has no command (the image's CMD is web's)"
        for argv in command_argv(service["command"]):
            yield name, service, argv


def option_value(argv: list[str], *names: str) -> str | None:
    for index, token in enumerate(argv):
        for name in names:
            if token == name and index + 1 < len(argv):
                return argv[index + 1]
            if name.startswith("--") and token.startswith(name + "="):
                return token.split("=", 1)[1]
            if not name.startswith("--") and token.startswith(name) and len(token) > len(name):
                return token[len(name) :]
    return None


def normalize(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


@cache
def declared_dependencies() -> frozenset[str]:
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = set()
    for requirement in project.get("dependencies", []):
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
        assert match, f"cannot read the requirement {requirement!r} in pyproject.toml"
        names.add(normalize(match.group(1)))
    return frozenset(names)


def distribution_of_script(script: str) -> str:
    """The distribution whose console script this is (its own name when not installed here)."""
    for entry_point in metadata.entry_points(group="console_scripts", name=script):
        if entry_point.dist is not None:
            return normalize(entry_point.dist.name)
    return normalize(script)


def module_file(root: Path, dotted: str) -> Path | None:
    base = root.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def assigned_names(path: Path) -> set[str]:
    """Module-level names a Python file binds (assignments, imports, defs)."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
    return names


def package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.submodule_search_locations, f"{name} is not installed"
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def installed_apps() -> frozenset[str]:
    """SHARED_APPS + TENANT_APPS, read from the settings source without importing Django."""
    wanted = {"SHARED_APPS", "TENANT_APPS"}
    apps: set[str] = set()
    for node in ast.parse(SETTINGS_BASE.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = {target.id for target in targets if isinstance(target, ast.Name)}
            if names & wanted and node.value is not None:
                apps.update(ast.literal_eval(node.value))
                wanted -= names
    assert not wanted, (
        f"{sorted(wanted)} are not literal lists in {SETTINGS_BASE.relative_to(REPO)}"
    )
    return frozenset(apps)


def source_files(root: Path, pattern: str) -> Iterator[Path]:
    """Files under root matching a glob pattern, without descending into NOT_SOURCES folders."""
    for directory, subdirectories, _files in os.walk(root):
        subdirectories[:] = [d for d in subdirectories if d not in NOT_SOURCES]
        yield from Path(directory).glob(pattern)


def import_root_of(path: Path) -> Path:
    """platform/ is an import root of its own inside the repository root."""
    return REPO / "platform" if path.is_relative_to(REPO / "platform") else REPO


@cache
def management_commands() -> dict[str, list[str]]:
    """Command name -> dotted names of the apps defining it (repository, Django, django-tenants)."""
    found: dict[str, list[str]] = {}
    packages = [package_dir(name) for name in ("django", "django_tenants")]
    for search_root in (REPO, *packages):
        for command in source_files(search_root, "management/commands/*.py"):
            if command.name.startswith("_"):
                continue
            app_dir = command.parent.parent.parent
            root = import_root_of(app_dir) if search_root == REPO else search_root.parent
            app = ".".join(app_dir.relative_to(root).parts)
            found.setdefault(command.stem, []).append(app)
    return found


# --- the stack ----------------------------------------------------------------------------------


def test_required_services_exist() -> None:
    missing = REQUIRED_SERVICES - services().keys()
    assert not missing, f"docker-compose.yml lacks the services {sorted(missing)}"


def test_app_services_share_one_image_built_from_the_dockerfile() -> None:
    builds = {name: service.get("build") for name, service in app_services().items()}
    assert all(builds.values()), f"every app service needs the shared build section: {builds}"
    assert len({repr(build) for build in builds.values()}) == 1, f"app services differ: {builds}"
    images = {service.get("image") for service in app_services().values()}
    assert len(images) == 1, f"app services run different images: {images}"
    context, dockerfile = build_of(next(iter(app_services().values())))
    assert context.is_dir(), f"build context {context} does not exist"
    assert dockerfile.is_file(), f"the Dockerfile {dockerfile} named by the build does not exist"


def test_depends_on_names_defined_services() -> None:
    known_conditions = {"service_started", "service_healthy", "service_completed_successfully"}
    for name, service in services().items():
        depends_on = service.get("depends_on") or {}
        entries = (
            {dependency: {} for dependency in depends_on}
            if isinstance(depends_on, list)
            else depends_on
        )
        for dependency, options in entries.items():
            assert dependency in services(), (
                f"{name} depends on undefined service {dependency!r}; defined: {sorted(services())}"
            )
            assert dependency != name, f"{name} depends on itself"
            condition = (options or {}).get("condition", "service_started")
            assert condition in known_conditions, f"{name} -> {dependency}: condition {condition!r}"
            if condition == "service_healthy":
                assert "healthcheck" in services()[dependency], (
                    f"{name} waits for {dependency} to be healthy, but it has no healthcheck"
                )


def test_migrate_completes_before_the_long_running_services() -> None:
    assert "migrate" in services()
    for name in APP_SERVICES - {"migrate"}:
        depends_on = services()[name].get("depends_on") or {}
        assert isinstance(depends_on, dict) and "migrate" in depends_on, f"{name} ignores migrate"
        assert depends_on["migrate"].get("condition") == "service_completed_successfully", (
            f"{name} must wait for migrate to exit 0 (condition: service_completed_successfully)"
        )
    assert services()["migrate"].get("restart", "no") == "no", "migrate is one-shot"


def test_postgres_and_redis_have_healthchecks() -> None:
    for name in ("postgres", "redis"):
        assert "healthcheck" in services()[name], f"{name} has no healthcheck"


def test_app_services_run_production_settings_and_require_a_secret() -> None:
    for name, service in app_services().items():
        environment = service.get("environment") or {}
        assert isinstance(environment, dict), f"{name}: write environment as a mapping"
        module = environment.get("DJANGO_SETTINGS_MODULE")
        assert module == "config.settings.production", f"{name} runs settings {module!r}"
        assert module_file(REPO / "platform", module), f"settings module {module} does not exist"
        for variable in ("SECRET_KEY", "PLATFORM_DOMAIN"):
            value = str(environment.get(variable, ""))
            assert re.fullmatch(rf"\$\{{{variable}:\?[^}}]+\}}", value), (
                f"{name}: {variable} must be '${{{variable}:?message}}' so compose refuses to "
                f"start without it, got {value!r}"
            )
        for variable in ("DATABASE_URL", "REDIS_URL"):
            assert environment.get(variable), f"{name}: {variable} is not set"


def test_pg_dump_in_the_image_is_not_older_than_the_server() -> None:
    image = str(services()["postgres"]["image"])
    match = re.fullmatch(r"postgres:(\d+)(?:[.\-].*)?", image)
    assert match, f"postgres image {image!r}: pin a major version (postgres:16)"
    _context, dockerfile = build_of(services()["web"])
    client = dockerfile_arg(dockerfile, "PG_MAJOR")
    assert client is not None, f"{dockerfile.relative_to(REPO)} has no ARG PG_MAJOR=<major>"
    assert "postgresql-client-${PG_MAJOR}" in "\n".join(dockerfile_lines(dockerfile))
    assert int(client) >= int(match.group(1)), (
        f"pg_dump {client} cannot dump a PostgreSQL {match.group(1)} server: "
        f"raise PG_MAJOR in {dockerfile.relative_to(REPO)}"
    )


def test_python_healthchecks_compile() -> None:
    for name, service in services().items():
        test = (service.get("healthcheck") or {}).get("test")
        if isinstance(test, list) and len(test) > 1 and test[0] == "CMD" and test[1] in PYTHONS:
            assert "-c" in test, f"{name}: python healthcheck without -c"
            code = test[test.index("-c") + 1]
            compile(code, f"<healthcheck of {name}>", "exec")


# --- commands resolve to real code -------------------------------------------------------------


def test_every_program_is_python_or_a_declared_dependency() -> None:
    for name, _service, argv in invocations():
        program = argv[0]
        if program in PYTHONS:
            continue
        distribution = distribution_of_script(program)
        assert distribution in declared_dependencies(), (
            f"{name} runs {program!r} (from {distribution!r}), which pyproject.toml does not "
            f"declare as a dependency"
        )


def test_python_scripts_exist() -> None:
    for name, service, argv in invocations():
        if argv[0] not in PYTHONS or len(argv) < 2 or argv[1].startswith("-"):
            continue
        script = working_dir_in_repo(service) / argv[1]
        assert script.is_file(), f"{name} runs {argv[1]}, not found at {script.relative_to(REPO)}"


def test_manage_py_commands_are_real_management_commands() -> None:
    commands = management_commands()
    checked = 0
    for name, _service, argv in invocations():
        scripts = [i for i, token in enumerate(argv) if token.endswith("manage.py")]
        if not scripts or scripts[0] + 1 >= len(argv):
            continue
        command = argv[scripts[0] + 1]
        assert command in commands, (
            f"{name} runs `manage.py {command}`, but no app of the repository, Django or "
            f"django-tenants has management/commands/{command}.py"
        )
        apps = commands[command]
        assert any(app == "django.core" or app in installed_apps() for app in apps), (
            f"{name} runs `manage.py {command}`, defined in {apps}, none of which is in "
            f"SHARED_APPS or TENANT_APPS"
        )
        checked += 1
    assert checked >= 3, "migrate should run migrate_schemas twice and platform_bootstrap"


def test_gunicorn_serves_a_real_wsgi_application() -> None:
    served = 0
    for name, service, argv in invocations():
        if argv[0] != "gunicorn":
            continue
        target = argv[-1]
        match = re.fullmatch(r"([A-Za-z_][\w.]*):([A-Za-z_]\w*)", target)
        assert match, f"{name}: gunicorn's last argument should be module:variable, got {target!r}"
        root = working_dir_in_repo(service) / (option_value(argv, "--chdir") or ".")
        module = module_file(root, match.group(1))
        assert module, f"{name}: {match.group(1)} not found under {root.relative_to(REPO)}"
        assert match.group(2) in assigned_names(module), (
            f"{name}: {module.relative_to(REPO)} defines no {match.group(2)!r}"
        )
        served += 1
    assert served, "no service runs gunicorn"


def test_celery_finds_its_app() -> None:
    from celery.bin.celery import celery as celery_cli

    seen: set[str] = set()
    for name, service, argv in invocations():
        if argv[0] != "celery":
            continue
        app = option_value(argv, "--app", "-A")
        assert app, f"{name}: celery without -A/--app"
        module_name, _, attribute = app.partition(":")
        root = working_dir_in_repo(service)
        module = module_file(root, module_name)
        assert module, (
            f"{name}: celery -A {app}: no module {module_name} in {root.relative_to(REPO)}"
        )
        if attribute:
            assert attribute in assigned_names(module), f"{name}: {module} defines no {attribute}"
        else:
            # Celery looks for `app` or `celery` in the module, then in <package>.celery.
            submodule = module_file(root, f"{module_name}.celery")
            assert submodule and "app" in assigned_names(submodule), (
                f"{name}: celery -A {module_name} needs {module_name}/celery.py defining `app`"
            )
        subcommands = [token for token in argv[1:] if token in celery_cli.commands]
        assert subcommands, f"{name}: no celery subcommand in {argv}"
        seen.add(subcommands[0])
    assert {"worker", "beat"} <= seen, f"celery worker and beat must both run, found {seen}"


# --- the environment is documented ------------------------------------------------------------


def _variables_read_by_the_code() -> dict[str, Path]:
    pattern = re.compile(
        r"""(?:env_\w+\(\s*|os\.environ\.get\(\s*|os\.getenv\(\s*|os\.environ\[\s*)["']([A-Z][A-Z0-9_]+)["']"""
    )
    found: dict[str, Path] = {}
    for path in source_files(REPO, "*.py"):
        parts = set(path.relative_to(REPO).parts)
        if "tests" in parts or "migrations" in parts:
            continue
        for variable in pattern.findall(path.read_text(encoding="utf-8")):
            found.setdefault(variable, path)
    return {name: path for name, path in found.items() if name not in PROCESS_VARIABLES}


def test_env_example_documents_every_variable() -> None:
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))
    missing = {
        name: str(path.relative_to(REPO))
        for name, path in _variables_read_by_the_code().items()
        if name not in documented
    }
    assert not missing, f"add these variables to {ENV_EXAMPLE.relative_to(REPO)}: {missing}"
    interpolated = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", COMPOSE_FILE.read_text("utf-8")))
    assert not interpolated - documented, (
        f"docker-compose.yml reads {sorted(interpolated - documented)}, undocumented in env.example"
    )
