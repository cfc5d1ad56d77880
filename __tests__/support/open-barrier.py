# Makes other processes' open() of chosen files wait until the test lets them through, with
# Linux file leases (fcntl(2) F_SETLEASE): a write lease makes any other open of the file block
# until the holder gives the lease up. Used to stop a real race at an exact point.
#
#   python3 open-barrier.py FILE...     one lease per file, then this protocol, a line each:
#     -> ready             every lease is held
#     -> opened I          someone is opening FILE number I (from 0); that open is waiting
#     <- release I         let it through (the lease on FILE I is given up)
#   EOF on stdin ends the script; closing the files gives up every lease.
#   python3 open-barrier.py --probe FILE   takes one lease and exits 0 if leases work here.
import fcntl
import os
import select
import signal
import sys

# The kernel signals a lease break with SIGIO, whose default action ends the process; the
# break is seen below by polling the lease instead.
signal.signal(signal.SIGIO, signal.SIG_IGN)

probe = sys.argv[1:2] == ["--probe"]
names = sys.argv[2:] if probe else sys.argv[1:]
fds = []
for name in names:
    fd = os.open(name, os.O_RDONLY)
    fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_WRLCK)
    fds.append(fd)
if probe:
    sys.exit(0)
print("ready", flush=True)

reported = set()
pending = b""
while True:
    readable, _, _ = select.select([0], [], [], 0.005)
    if readable:
        data = os.read(0, 4096)
        if not data:
            break
        pending += data
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            command, index = line.decode().split()
            if command == "release":
                fcntl.fcntl(fds[int(index)], fcntl.F_SETLEASE, fcntl.F_UNLCK)
    for index, fd in enumerate(fds):
        # A broken lease reads as the type it is being downgraded to, no longer F_WRLCK.
        if index not in reported and fcntl.fcntl(fd, fcntl.F_GETLEASE) != fcntl.F_WRLCK:
            reported.add(index)
            print(f"opened {index}", flush=True)
