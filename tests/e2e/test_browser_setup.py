"""The browser tests' own set-up, checked without a browser: finding chromium, and what happens
without it (skipped on a laptop, failed on CI), and the free port and screenshot names."""

from __future__ import annotations

import socket

import pytest

from tests.e2e import conftest as e2e


def test_without_chromium_the_browser_tests_skip_on_a_laptop(monkeypatch):
    monkeypatch.setattr(e2e, "find_chromium", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        e2e.require_chromium()


def test_without_chromium_the_browser_tests_fail_on_ci(monkeypatch):
    monkeypatch.setattr(e2e, "find_chromium", lambda: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="apt-get install chromium"):
        e2e.require_chromium()


def test_with_chromium_its_path_is_given(monkeypatch):
    monkeypatch.setattr(e2e, "find_chromium", lambda: "/opt/chromium")
    monkeypatch.setenv("CI", "true")
    assert e2e.require_chromium() == "/opt/chromium"


def test_free_port_is_free():
    port = e2e.free_port()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", port))  # would raise if something held it


def test_screenshot_names_are_file_safe():
    assert e2e._screenshot_name("tests/e2e/test_accessibility.py::test_page[interview-start]") == \
        "test_page-interview-start"
