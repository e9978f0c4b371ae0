from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from codeassist.config import load_settings, mask_secret, set_value
from codeassist.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_defaults_when_nothing_is_set(tmp_path: Path) -> None:
    s = load_settings(repo_root=None, environ={"CODEASSIST_CONFIG": str(tmp_path / "none.toml")})
    assert s.model is None
    assert s.max_rounds == 3
    assert s.source("max_rounds") == "default"


def test_precedence_user_repo_env_flag(tmp_path: Path) -> None:
    user = write(tmp_path / "user.toml", 'model = "u"\nmax_rounds = 5\nmap_tokens = 100\ntemperature = 0.5\n')
    repo = tmp_path / "repo"
    write(repo / ".codeassist.toml", 'model = "r"\nmax_rounds = 6\n')
    env = {"CODEASSIST_CONFIG": str(user), "CODEASSIST_MODEL": "e"}
    s = load_settings(repo_root=repo, environ=env)
    assert (s.model, s.source("model")) == ("e", "env")
    assert (s.max_rounds, s.source("max_rounds")) == (6, "repo")
    assert (s.map_tokens, s.source("map_tokens")) == (100, "user")
    s2 = load_settings(repo_root=repo, environ=env, flags={"model": "f", "max_rounds": None})
    assert (s2.model, s2.source("model")) == ("f", "flag")
    assert s2.max_rounds == 6


def test_openai_variables_are_honoured_below_our_own(tmp_path: Path) -> None:
    env = {"CODEASSIST_CONFIG": str(tmp_path / "x.toml"), "OPENAI_API_KEY": "sk-a", "OPENAI_BASE_URL": "http://h/v1"}
    s = load_settings(repo_root=None, environ=env)
    assert s.api_key == "sk-a" and s.source("api_key") == "env:OPENAI_API_KEY"
    assert s.base_url == "http://h/v1"
    s = load_settings(repo_root=None, environ={**env, "CODEASSIST_API_KEY": "sk-b"})
    assert s.api_key == "sk-b" and s.source("api_key") == "env"


def test_env_values_are_coerced(tmp_path: Path) -> None:
    env = {"CODEASSIST_CONFIG": str(tmp_path / "x.toml"), "CODEASSIST_AUTO_COMMIT": "no", "CODEASSIST_MAX_ROUNDS": "7"}
    s = load_settings(repo_root=None, environ=env)
    assert s.auto_commit is False and s.max_rounds == 7
    with pytest.raises(ConfigError, match="CODEASSIST_MAX_ROUNDS"):
        load_settings(repo_root=None, environ={**env, "CODEASSIST_MAX_ROUNDS": "many"})


@pytest.mark.parametrize(
    "text",
    ["model = ", "bogus = 1\n", "max_rounds = 'x'\n", "[models]\nfoo = 1\n", "\x00\x01"],
)
def test_bad_config_files_are_config_errors(tmp_path: Path, text: str) -> None:
    user = write(tmp_path / "user.toml", text)
    with pytest.raises(ConfigError) as info:
        load_settings(repo_root=None, environ={"CODEASSIST_CONFIG": str(user)})
    assert str(user) in str(info.value) or "unknown setting" in str(info.value)
    assert info.value.exit_code == 3


def test_model_overrides_are_collected(tmp_path: Path) -> None:
    user = write(tmp_path / "user.toml", '[models."my-model"]\ncontext_window = 1000\n')
    s = load_settings(repo_root=None, environ={"CODEASSIST_CONFIG": str(user)})
    assert s.models == {"my-model": {"context_window": 1000}}


def test_set_value_round_trips_and_keeps_other_keys(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", 'model = "a"\n')
    assert set_value(path, "max-rounds", "4") == 4
    s = load_settings(repo_root=None, environ={"CODEASSIST_CONFIG": str(path)})
    assert (s.model, s.max_rounds) == ("a", 4)


def test_mask_secret_never_shows_whole_key() -> None:
    key = "sk-proj-abcdefghijklmnop"
    assert key not in mask_secret(key)
    assert mask_secret("short") == "*****"


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "codeassist", *args], capture_output=True, text=True, env=env, cwd=cwd)


def test_config_cli_show_set_path(tmp_path: Path, isolated_env: dict[str, str], git_repo: Path) -> None:
    env = {**isolated_env, "OPENAI_API_KEY": "sk-secret-value-123456"}
    proc = run_cli("-C", str(git_repo), "config", "set", "model", "gpt-x", "--local", env=env)
    assert proc.returncode == 0, proc.stderr
    assert (git_repo / ".codeassist.toml").read_text() == 'model = "gpt-x"\n'
    proc = run_cli("config", "show", "--json", "-C", str(git_repo), env=env)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["version"] == 1
    assert data["settings"]["model"] == {"value": "gpt-x", "source": "repo"}
    assert "sk-secret-value-123456" not in proc.stdout
    proc = run_cli("config", "show", "-C", str(git_repo), env=env)
    assert "sk-secret-value-123456" not in proc.stdout + proc.stderr
    proc = run_cli("config", "path", "-C", str(git_repo), env=env)
    assert "repo: " in proc.stdout and ".codeassist.toml" in proc.stdout


def test_config_cli_errors_have_exit_codes(tmp_path: Path, isolated_env: dict[str, str]) -> None:
    proc = run_cli("config", "set", "nope", "1", env=isolated_env)
    assert proc.returncode == 3 and "unknown setting" in proc.stderr
    bad = write(tmp_path / "bad.toml", "model = [")
    proc = run_cli("--config", str(bad), "config", "show", env=isolated_env)
    assert proc.returncode == 3 and "invalid TOML" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_set_value_keeps_comments_and_layout(tmp_path: Path) -> None:
    path = write(
        tmp_path / "c.toml", '# my settings\nmodel = "a"  # the usual one\n\n[models."x"]\ncontext_window = 8000\n'
    )
    set_value(path, "max_rounds", "2")
    set_value(path, "model", "b")
    text = path.read_text()
    assert text.startswith("# my settings\n") and "# the usual one" in text and 'model = "b"' in text
    assert "max_rounds = 2" in text and "context_window = 8000" in text
    assert load_settings(repo_root=None, environ={"CODEASSIST_CONFIG": str(path)}).max_rounds == 2


def test_the_user_config_file_is_written_for_the_user_alone(tmp_path: Path) -> None:
    path = write(tmp_path / "user.toml", 'model = "a"\n')
    path.chmod(0o644)
    set_value(path, "api_key", "sk-secret")  # an existing file is narrowed to the user alone
    assert path.stat().st_mode & 0o777 == 0o600
    fresh = tmp_path / "new" / "user.toml"
    set_value(fresh, "model", "b")
    assert fresh.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        ("max_rounds", "-3"),
        ("timeout_read", "-1"),
        ("timeout_connect", "0"),
        ("temperature", "3"),
        ("map_tokens", "-1"),
        ("max_retries", "nan"),
        ("lock_timeout", "inf"),
    ],
)
def test_values_out_of_range_are_refused(tmp_path: Path, key: str, raw: str) -> None:
    with pytest.raises(ConfigError):
        load_settings(
            repo_root=None, environ={"CODEASSIST_CONFIG": str(tmp_path / "none"), f"CODEASSIST_{key.upper()}": raw}
        )
    with pytest.raises(ConfigError):
        set_value(tmp_path / "c.toml", key, raw)


def test_settings_declare_every_key() -> None:
    from codeassist.config import KEYS, setting_names

    assert set(setting_names()) == set(KEYS)
