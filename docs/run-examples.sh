#!/usr/bin/env bash
# Runs the shell examples of a guide, in order, in one shell, stopping at the first failure:
#   docs/run-examples.sh docs/guides/machine-to-machine.md
# Run from the repository root; needs curl, openssl, jq (and whatever the guide says).
set -euo pipefail
guide="${1:?usage: docs/run-examples.sh GUIDE.md}"
script="$(mktemp)"
trap 'rm -f "$script"' EXIT
python3 - "$guide" > "$script" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
print("set -euo pipefail")
print("\n".join(re.findall(r"```sh\n(.*?)```", text, re.S)))
PY
bash "$script"
echo "all examples of $guide ran"
