"""Write a seed corpus for fuzz/fuzz_function_restore from the recorded
FUNCTION DUMP payloads in the vectors folder (functions.json and the FUNCTION
RESTORE steps of errors.json). Each seed is mode byte 0 + the whole payload,
and mode byte 1 + the payload body (the target adds a valid footer)."""
import json
import os
import sys


def main(vectors, out):
    os.makedirs(out, exist_ok=True)
    payloads = set()
    for folder in sorted(os.listdir(vectors)):
        for name in ("functions.json", "errors.json"):
            path = os.path.join(vectors, folder, name)
            if not os.path.exists(path):
                continue
            for v in json.load(open(path)):
                if "dump_hex" in v and name == "functions.json":
                    payloads.add(bytes.fromhex(v["dump_hex"]))
                for s in v.get("steps", []):
                    cmd = s["command"]
                    if cmd[:2] == ["FUNCTION", "RESTORE"] and len(cmd) > 2 and isinstance(cmd[2], dict):
                        payloads.add(bytes.fromhex(cmd[2]["hex"]))
    n = 0
    for p in sorted(payloads):
        for mode, data in ((0, p), (1, p[:-10])):
            with open(os.path.join(out, "seed%03d" % n), "wb") as f:
                f.write(bytes([mode]) + data)
            n += 1
    print("%d seeds in %s" % (n, out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
