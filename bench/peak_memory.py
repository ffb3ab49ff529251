"""Peak memory of a backend while it works, sampled from /proc every 50 ms:
private memory (RssAnon: what the backend allocated itself) and VmHWM (which
also counts the shared buffers it touched, up to shared_buffers). The
backend is found by its application_name."""
import os
import pathlib
import subprocess
import threading
import time


def _status_kb(pid, field):
    try:
        for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class PeakSampler:
    FIELDS = ("RssAnon", "VmHWM")

    def __init__(self, application):
        self.application = application
        self.peaks_kb = dict.fromkeys(self.FIELDS, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        """Stops sampling; returns the peaks in MB."""
        self._stop.set()
        self._thread.join()
        return {field: kb // 1024 for field, kb in self.peaks_kb.items()}

    def _sample(self):
        pid = None
        query = f"SELECT pid FROM pg_stat_activity WHERE application_name LIKE '{self.application}%' LIMIT 1"
        while not self._stop.is_set():
            if pid is None:
                found = subprocess.run(["psql", "-X", "-At", "-c", query], capture_output=True, text=True).stdout.strip()
                pid = int(found) if found else None
            if pid is not None:
                for field in self.FIELDS:
                    self.peaks_kb[field] = max(self.peaks_kb[field], _status_kb(pid, field))
                if not os.path.exists(f"/proc/{pid}"):
                    pid = None
            time.sleep(0.05)


def run_sampled(sql, application):
    """Runs sql in a new backend named application; returns its peaks in MB."""
    sampler = PeakSampler(application).start()
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-c", sql], check=True, capture_output=True,
                   env={**os.environ, "PGAPPNAME": application})
    return sampler.stop()
