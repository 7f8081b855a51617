"""The worked example of docs/ensembles.md runs as written."""

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "ensembles.md"


def test_worked_example_runs(tmp_path, capsys):
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    assert blocks, "docs/ensembles.md has no python example"
    for code in blocks:
        exec(compile(code, str(DOC), "exec"), {"folder": tmp_path})
    out = capsys.readouterr().out
    assert "died out in" in out and (tmp_path / "sweep" / "sweep.png").is_file()
