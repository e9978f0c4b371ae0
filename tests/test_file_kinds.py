"""File kinds by path, and whether a request is about them."""

from __future__ import annotations

from codeassist.file_kinds import asks_about_tests, is_prose, is_test, prose_asked


def test_is_test() -> None:
    for path in (
        "flag_test.go", "tests/test_app.py", "pkg/app_test.py", "src/app.test.ts", "lib/app.spec.js",
        "src/test/java/AppTest.java", "__tests__/app.js", "spec/app_spec.rb", "AppTests.cs",
    ):
        assert is_test(path), path
    for path in ("app.go", "src/testing_utils_x.go", "contest.py", "latest.ts", "src/attestation.rs", "README.md"):
        assert not is_test(path), path


def test_asks_about_tests() -> None:
    for request in ("test: cover Run with no args", "add tests for the parser", "more coverage of flags",
                    "test(cli): a case for -v", "Fix the flaky test"):
        assert asks_about_tests(request), request
    for request in ("fix the parser for nargs", "attest the build", "latest version of the help text"):
        assert not asks_about_tests(request), request


def test_prose_rules_unchanged() -> None:
    assert is_prose("CHANGES.rst") and not is_prose("src/changes.py")
    assert prose_asked("update the README")("README.md")
    assert not prose_asked("fix the parser")("CHANGES.rst")
