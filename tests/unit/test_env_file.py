import pytest
from synth_ai.adapters.local_files.env_file import parse_env_file
from synth_ai.domain.errors import InvalidInput


def test_env_files_accept_export_quotes_and_comments(tmp_path):
    path = tmp_path / ".env"
    path.write_text(
        "# comment\n\nexport ENVIRONMENT_API_KEY='abc def'\nA=1 # trailing\nB=\"x=y\"\n"
    )
    assert parse_env_file(path) == {"ENVIRONMENT_API_KEY": "abc def", "A": "1", "B": "x=y"}


def test_a_bad_line_is_reported_with_its_file_and_number(tmp_path):
    path = tmp_path / ".env"
    path.write_text("A=1\nnot a pair\n")
    with pytest.raises(InvalidInput, match=r"\.env:2: cannot parse 'not a pair' — write KEY=VALUE"):
        parse_env_file(path)


def test_a_missing_env_file_is_named(tmp_path):
    with pytest.raises(InvalidInput, match="missing.env does not exist"):
        parse_env_file(tmp_path / "missing.env")
