#!/usr/bin/env python3
"""Checks ddimap's ClusterFuzzLite integration: .clusterfuzzlite/ and .github/workflows/.

    workflows_test.py REPO_ROOT              check the repository (ctest cflite_workflows)
    workflows_test.py --self-test REPO_ROOT  break scratch copies of those files one way at
                                             a time and check that each breakage is caught
                                             (ctest cflite_workflows_selftest)

What a correct integration looks like comes from the ClusterFuzzLite documentation:
  https://google.github.io/clusterfuzzlite/build-integration/
  https://google.github.io/clusterfuzzlite/running-clusterfuzzlite/
  https://google.github.io/clusterfuzzlite/running-clusterfuzzlite/github-actions/

Checked:
  * every YAML file under .github/workflows parses (duplicate keys are errors, as on GitHub)
    and has `on` triggers and jobs with runs-on and steps;
  * cflite_pr.yml: on pull_request; its job builds with build_fuzzers then runs run_fuzzers
    with mode code-change for a sanitizer matrix of exactly address and undefined;
  * cflite_batch.yml: on schedule and workflow_dispatch; mode batch; same matrix; fuzzes
    longer than PR fuzzing;
  * cflite_cron.yml: on schedule; a prune job and a coverage job (sanitizer coverage);
  * every job of a cflite_* workflow: one build_fuzzers step then one run_fuzzers step, both
    pinned (@v1 or a commit), both with language c++ and the same sanitizer, values among
    address, undefined, coverage (matrix expressions resolved); run_fuzzers has the GitHub
    token, an integer fuzz-seconds > 0 and a known mode;
  * .clusterfuzzlite/project.yaml: language c++, sanitizers among the allowed ones;
  * .clusterfuzzlite/build.sh: executable, valid bash, runs ci/oss-fuzz/build.sh from where
    the Dockerfile puts the repository;
  * .clusterfuzzlite/Dockerfile: FROM the OSS-Fuzz base-builder, copies the repository into
    $SRC/<dir>, works there, and copies .clusterfuzzlite/build.sh into $SRC.

Needs Python 3 and PyYAML (Debian: python3-yaml, installed by ci/install-deps.sh).
Exit status: 0 when everything holds, 1 on any failure (all failures are listed).
"""

import copy
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:  # pragma: no cover - depends on the machine
    print("workflows_test: PyYAML is missing (Debian: apt-get install python3-yaml, "
          "or run ci/install-deps.sh)", file=sys.stderr)
    sys.exit(1)

WORKFLOWS_DIR = os.path.join(".github", "workflows")
CFL_DIR = ".clusterfuzzlite"
ACTION_PREFIX = "google/clusterfuzzlite/actions/"
BUILD_ACTION = ACTION_PREFIX + "build_fuzzers"
RUN_ACTION = ACTION_PREFIX + "run_fuzzers"
SANITIZERS = {"address", "undefined", "coverage"}
FUZZING_SANITIZERS = {"address", "undefined"}  # the matrix of PR and batch fuzzing
MODES = {"code-change", "batch", "prune", "coverage"}
LANGUAGE = "c++"
OSS_FUZZ_BUILD = "ci/oss-fuzz/build.sh"

# The workflow files the integration consists of, and what each must be.
PR, BATCH, CRON = "cflite_pr.yml", "cflite_batch.yml", "cflite_cron.yml"
EXPECTED = {
    PR: {"triggers": {"pull_request"}, "modes": {"code-change"}},
    BATCH: {"triggers": {"schedule", "workflow_dispatch"}, "modes": {"batch"}},
    CRON: {"triggers": {"schedule"}, "modes": {"prune", "coverage"}},
}

MATRIX_EXPR = re.compile(r"^\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}$")
PINNED_REF = re.compile(r"^(v\d+(\.\d+){0,2}|[0-9a-f]{40})$")


# --- YAML loading ---------------------------------------------------------------------------

class StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (GitHub rejects them; PyYAML keeps the last)."""


def _construct_mapping(loader, node, deep=False):
    loader.flatten_mapping(node)
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(path):
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=StrictLoader)


def triggers_of(workflow):
    """The `on` section as a set of event names. YAML 1.1 reads the key `on` as True."""
    if "on" in workflow:
        on = workflow["on"]
    elif True in workflow:
        on = workflow[True]
    else:
        return None, None
    if isinstance(on, str):
        return {on}, {on: None}
    if isinstance(on, list):
        return set(on), {e: None for e in on}
    if isinstance(on, dict):
        return set(on), on
    return set(), {}


# --- checks ---------------------------------------------------------------------------------

class Checker:
    def __init__(self, root):
        self.root = root
        self.errors = []
        self.checks = 0

    def check(self, cond, where, msg):
        self.checks += 1
        if not cond:
            self.errors.append(f"{where}: {msg}")
        return cond

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    # workflows

    def run_workflows(self):
        wdir = self.path(WORKFLOWS_DIR)
        if not self.check(os.path.isdir(wdir), WORKFLOWS_DIR, "directory missing"):
            return
        names = sorted(n for n in os.listdir(wdir) if n.endswith((".yml", ".yaml")))
        for name in EXPECTED:
            self.check(name in names, WORKFLOWS_DIR, f"{name} missing")
        fuzz_seconds = {}
        for name in names:
            where = f"{WORKFLOWS_DIR}/{name}"
            try:
                wf = load_yaml(os.path.join(wdir, name))
            except (yaml.YAMLError, OSError) as e:
                self.check(False, where, f"does not parse: {e}")
                continue
            if not self.check(isinstance(wf, dict), where, "is not a mapping"):
                continue
            fuzz_seconds[name] = self.workflow(name, where, wf)
        pr, batch = fuzz_seconds.get(PR), fuzz_seconds.get(BATCH)
        if pr and batch:
            self.check(min(batch) > max(pr), f"{WORKFLOWS_DIR}/{BATCH}",
                       f"batch fuzz-seconds {min(batch)} should exceed PR fuzz-seconds {max(pr)}")

    def workflow(self, name, where, wf):
        """Generic structure of any workflow, then the ClusterFuzzLite specifics."""
        triggers, on = triggers_of(wf)
        self.check(triggers is not None, where, "no `on` triggers")
        self.check(bool(triggers), where, "`on` names no event")
        jobs = wf.get("jobs")
        if not self.check(isinstance(jobs, dict) and jobs, where, "no jobs"):
            return []
        for job_id, job in jobs.items():
            jw = f"{where}: job {job_id}"
            if not self.check(isinstance(job, dict), jw, "is not a mapping"):
                continue
            if "uses" in job:  # a reusable-workflow call has neither runs-on nor steps
                continue
            self.check("runs-on" in job, jw, "no runs-on")
            self.check(isinstance(job.get("steps"), list) and job["steps"], jw, "no steps")

        uses_cfl = any(isinstance(s, dict) and str(s.get("uses", "")).startswith(ACTION_PREFIX)
                       for j in jobs.values() if isinstance(j, dict)
                       for s in (j.get("steps") or []))
        if name not in EXPECTED and not uses_cfl:
            return []
        self.check(name in EXPECTED, where,
                   f"uses ClusterFuzzLite but is not one of {sorted(EXPECTED)}")
        expected = EXPECTED.get(name)
        if expected and triggers is not None:
            missing = expected["triggers"] - triggers
            self.check(not missing, where, f"`on` lacks {sorted(missing)} (has {sorted(triggers)})")
            if "schedule" in expected["triggers"] and "schedule" in triggers:
                self.schedule(where, on.get("schedule"))
        self.permissions(where, wf)

        modes, seconds = {}, []
        for job_id, job in jobs.items():
            if not isinstance(job, dict):
                continue
            result = self.cfl_job(f"{where}: job {job_id}", job)
            if result:
                mode, sanitizers, secs = result
                modes.setdefault(mode, []).append((job_id, sanitizers))
                seconds.append(secs)
        if expected:
            self.check(set(modes) == expected["modes"], where,
                       f"run_fuzzers modes {sorted(modes)}, expected {sorted(expected['modes'])}")
        for mode, jobs_of_mode in modes.items():
            for job_id, sanitizers in jobs_of_mode:
                jw = f"{where}: job {job_id}"
                if mode in ("code-change", "batch"):
                    self.check(sanitizers == FUZZING_SANITIZERS, jw,
                               f"mode {mode} fuzzes with sanitizers {sorted(sanitizers)}, "
                               f"expected {sorted(FUZZING_SANITIZERS)}")
                elif mode == "coverage":
                    self.check(sanitizers == {"coverage"}, jw,
                               f"mode coverage needs sanitizer coverage, got {sorted(sanitizers)}")
                elif mode == "prune":
                    self.check("coverage" not in sanitizers, jw,
                               "mode prune must not use the coverage build")
        return [s for s in seconds if isinstance(s, int)]

    def schedule(self, where, schedule):
        if not self.check(isinstance(schedule, list) and schedule, where,
                          "schedule is not a list of cron entries"):
            return
        for entry in schedule:
            cron = entry.get("cron") if isinstance(entry, dict) else None
            self.check(isinstance(cron, str) and len(cron.split()) == 5, where,
                       f"schedule entry {entry!r} is not {{cron: '<5 fields>'}}")

    def permissions(self, where, wf):
        perms = wf.get("permissions")
        ok = perms == "read-all" or (isinstance(perms, dict) and
                                     all(v in ("read", "none") for v in perms.values()))
        self.check(ok, where, f"permissions should be read-only (read-all), got {perms!r}")

    def resolve(self, jw, job, value):
        """A sanitizer input as the set of values it takes (matrix expressions expanded)."""
        if value is None:
            return {"address"}  # the actions' documented default
        m = MATRIX_EXPR.match(str(value).strip())
        if not m:
            return {str(value)}
        matrix = (job.get("strategy") or {}).get("matrix") or {}
        values = matrix.get(m.group(1)) if isinstance(matrix, dict) else None
        if not self.check(isinstance(values, list) and values, jw,
                          f"{value} refers to no matrix list"):
            return set()
        return {str(v) for v in values}

    def step_of(self, jw, steps, action):
        found = [(i, s) for i, s in enumerate(steps)
                 if isinstance(s, dict) and str(s.get("uses", "")).split("@")[0] == action]
        if not self.check(len(found) == 1, jw, f"{len(found)} steps use {action}, expected 1"):
            return None, None
        i, step = found[0]
        uses = step["uses"]
        ref = uses.split("@", 1)[1] if "@" in uses else ""
        self.check(bool(PINNED_REF.match(ref)), jw,
                   f"{uses!r} is not pinned to a version (@v1) or a commit")
        self.check(isinstance(step.get("with"), dict), jw, f"{action} has no `with` inputs")
        return i, step

    def cfl_job(self, jw, job):
        steps = job.get("steps") or []
        bi, build = self.step_of(jw, steps, BUILD_ACTION)
        ri, run = self.step_of(jw, steps, RUN_ACTION)
        if build is None or run is None:
            return None
        self.check(bi < ri, jw, "run_fuzzers comes before build_fuzzers")
        bw, rw = build.get("with") or {}, run.get("with") or {}
        self.check(bw.get("language") == LANGUAGE, jw,
                   f"build_fuzzers language {bw.get('language')!r}, expected {LANGUAGE!r}")
        self.check(rw.get("language") == LANGUAGE, jw,
                   f"run_fuzzers language {rw.get('language')!r}, expected {LANGUAGE!r}")
        bs = self.resolve(jw, job, bw.get("sanitizer"))
        rs = self.resolve(jw, job, rw.get("sanitizer"))
        self.check(bs == rs, jw, f"built with {sorted(bs)} but run with {sorted(rs)}")
        for s in bs | rs:
            self.check(s in SANITIZERS, jw, f"sanitizer {s!r} not among {sorted(SANITIZERS)}")
        secs = rw.get("fuzz-seconds")
        self.check(isinstance(secs, int) and not isinstance(secs, bool) and secs > 0, jw,
                   f"fuzz-seconds {secs!r} is not an integer > 0")
        token = str(rw.get("github-token", ""))
        self.check(re.fullmatch(r"\$\{\{\s*secrets\.GITHUB_TOKEN\s*\}\}", token) is not None, jw,
                   f"run_fuzzers github-token {token!r}, expected ${{{{ secrets.GITHUB_TOKEN }}}}")
        mode = rw.get("mode")
        self.check(mode in MODES, jw, f"mode {mode!r} not among {sorted(MODES)}")
        return mode, rs, secs

    # .clusterfuzzlite

    def run_project(self):
        where = f"{CFL_DIR}/project.yaml"
        try:
            project = load_yaml(self.path(CFL_DIR, "project.yaml"))
        except (yaml.YAMLError, OSError) as e:
            self.check(False, where, f"does not parse: {e}")
            return
        if not self.check(isinstance(project, dict), where, "is not a mapping"):
            return
        self.check(project.get("language") == LANGUAGE, where,
                   f"language {project.get('language')!r}, expected {LANGUAGE!r}")
        sanitizers = project.get("sanitizers")
        if sanitizers is not None:
            self.check(isinstance(sanitizers, list) and set(map(str, sanitizers)) <= SANITIZERS
                       and FUZZING_SANITIZERS <= set(map(str, sanitizers)), where,
                       f"sanitizers {sanitizers!r} should include {sorted(FUZZING_SANITIZERS)} "
                       f"and stay within {sorted(SANITIZERS)}")
        engines = project.get("fuzzing_engines")
        if engines is not None:
            self.check(engines == ["libfuzzer"], where,
                       f"ClusterFuzzLite runs libFuzzer only; fuzzing_engines {engines!r}")

    def dockerfile_instructions(self):
        """The Dockerfile as (INSTRUCTION, arguments) with continuations joined."""
        with open(self.path(CFL_DIR, "Dockerfile"), encoding="utf-8") as f:
            text = f.read()
        text = re.sub(r"\\\n", " ", text)
        result = []
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 1)
            result.append((parts[0].upper(), parts[1] if len(parts) > 1 else ""))
        return result

    def run_dockerfile(self):
        """Returns the directory under $SRC the repository is copied to, or None."""
        where = f"{CFL_DIR}/Dockerfile"
        try:
            instrs = self.dockerfile_instructions()
        except OSError as e:
            self.check(False, where, f"cannot be read: {e}")
            return None
        froms = [a for i, a in instrs if i == "FROM"]
        self.check(len(froms) >= 1 and froms[0].startswith("gcr.io/oss-fuzz-base/base-builder"),
                   where, f"first FROM is {froms[:1]}, expected gcr.io/oss-fuzz-base/base-builder")
        repo_dir = None
        build_copied = False
        for instr, args in instrs:
            if instr != "COPY":
                continue
            words = [w for w in args.split() if not w.startswith("--")]
            if len(words) < 2:
                continue
            srcs, dest = words[:-1], words[-1].rstrip("/")
            if srcs in (["."], ["./"]):
                m = re.fullmatch(r"\$(?:SRC|\{SRC\})/([A-Za-z0-9_.-]+)", dest)
                if m:
                    repo_dir = m.group(1)
            if any(s in (".clusterfuzzlite/build.sh", "./.clusterfuzzlite/build.sh") for s in srcs) \
                    and re.fullmatch(r"\$(?:SRC|\{SRC\})(/build\.sh)?", dest):
                build_copied = True
        self.check(repo_dir is not None, where, "no `COPY . $SRC/<dir>` of the repository")
        self.check(build_copied, where, "no `COPY .clusterfuzzlite/build.sh $SRC/`")
        if repo_dir:
            workdirs = [a.rstrip("/") for i, a in instrs if i == "WORKDIR"]
            self.check(any(re.fullmatch(r"\$(?:SRC|\{SRC\})/" + re.escape(repo_dir), w)
                           for w in workdirs), where, f"no WORKDIR $SRC/{repo_dir}")
        return repo_dir

    def run_build_sh(self, repo_dir):
        where = f"{CFL_DIR}/build.sh"
        path = self.path(CFL_DIR, "build.sh")
        if not self.check(os.path.isfile(path), where, "missing"):
            return
        mode = os.stat(path).st_mode
        self.check(bool(mode & stat.S_IXUSR) and bool(mode & stat.S_IXOTH), where,
                   "is not executable (chmod +x; git keeps the mode)")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        self.check(text.startswith("#!") and "bash" in text.splitlines()[0], where,
                   "does not start with a bash shebang")
        bash = shutil.which("bash")
        if bash:
            r = subprocess.run([bash, "-n", path], capture_output=True, text=True)
            self.check(r.returncode == 0, where, f"bash -n: {r.stderr.strip()}")
        code = [l.split("#", 1)[0] if not l.lstrip().startswith("#") else ""
                for l in text.splitlines()]
        calls = [l for l in code if OSS_FUZZ_BUILD in l]
        self.check(bool(calls), where, f"does not call {OSS_FUZZ_BUILD}")
        if calls and repo_dir:
            target = re.compile(r"\$(?:SRC|\{SRC\})/" + re.escape(repo_dir) + "/" +
                                re.escape(OSS_FUZZ_BUILD))
            relative = re.compile(r"(^|[\s\"'])(\./)?" + re.escape(OSS_FUZZ_BUILD))
            self.check(any(target.search(l) or relative.search(l) for l in calls), where,
                       f"calls {OSS_FUZZ_BUILD} elsewhere than $SRC/{repo_dir} (where the "
                       "Dockerfile copies the repository) or the WORKDIR")

    def run(self):
        self.run_workflows()
        self.run_project()
        repo_dir = self.run_dockerfile()
        self.run_build_sh(repo_dir)
        return self.errors


def check_repo(root, quiet=False):
    checker = Checker(root)
    errors = checker.run()
    if not quiet:
        for e in errors:
            print(f"FAIL {e}")
        print(f"workflows_test: {checker.checks} checks, {len(errors)} failed ({root})")
    return errors


# --- self-test: every deliberate mistake must be caught -------------------------------------
# Each mutation: (what it breaks, a fragment of the failure it must cause, how to apply it to
# a scratch copy of the integration files).

def _edit_yaml(rel, fn):
    def apply(root):
        p = os.path.join(root, rel)
        data = load_yaml(p)
        fn(data)
        with open(p, "w", encoding="utf-8") as f:
            yaml.safe_dump(data, f, sort_keys=False)
    return apply


def _edit_text(rel, fn):
    def apply(root):
        p = os.path.join(root, rel)
        with open(p, encoding="utf-8") as f:
            text = f.read()
        new = fn(text)
        if new == text:
            raise AssertionError(f"mutation left {rel} unchanged: update the self-test")
        with open(p, "w", encoding="utf-8") as f:
            f.write(new)
    return apply


def _wf(name):
    return os.path.join(WORKFLOWS_DIR, name)


def _steps(data, job=None):
    jobs = data["jobs"]
    return (jobs[job] if job else next(iter(jobs.values())))["steps"]


def _step(data, action, job=None):
    return next(s for s in _steps(data, job) if str(s.get("uses", "")).startswith(action))


def _on(data):
    return data[True] if True in data else data["on"]


def _set(d, key, value):
    d[key] = value


MUTATIONS = [
    ("PR mode batch instead of code-change", "run_fuzzers modes ['batch']",
     _edit_yaml(_wf(PR), lambda d: _set(_step(d, RUN_ACTION)["with"], "mode", "batch"))),
    ("PR matrix without undefined", "mode code-change fuzzes with sanitizers ['address']",
     _edit_yaml(_wf(PR), lambda d: _set(next(iter(d["jobs"].values()))["strategy"]["matrix"],
                                        "sanitizer", ["address"]))),
    ("PR sanitizer memory", "sanitizer 'memory' not among",
     _edit_yaml(_wf(PR), lambda d: next(iter(d["jobs"].values()))["strategy"]["matrix"]
                ["sanitizer"].append("memory"))),
    ("PR triggered by push instead of pull_request", "`on` lacks ['pull_request']",
     _edit_yaml(_wf(PR), lambda d: _set(d, True, {"push": {"branches": ["main"]}}))),
    ("PR build_fuzzers language c", "build_fuzzers language 'c'",
     _edit_yaml(_wf(PR), lambda d: _set(_step(d, BUILD_ACTION)["with"], "language", "c"))),
    ("PR run_fuzzers before build_fuzzers", 'run_fuzzers comes before build_fuzzers',
     _edit_yaml(_wf(PR), lambda d: _steps(d).reverse())),
    ("PR run_fuzzers unpinned", 'is not pinned',
     _edit_yaml(_wf(PR), lambda d: _set(_step(d, RUN_ACTION), "uses", RUN_ACTION + "@master"))),
    ("PR build_fuzzers step removed", '0 steps use google/clusterfuzzlite/actions/build_fuzzers',
     _edit_yaml(_wf(PR), lambda d: _steps(d).remove(_step(d, BUILD_ACTION)))),
    ("PR fuzz-seconds a string", "fuzz-seconds '300' is not an integer",
     _edit_yaml(_wf(PR), lambda d: _set(_step(d, RUN_ACTION)["with"], "fuzz-seconds", "300"))),
    ("PR run_fuzzers without the GitHub token", 'run_fuzzers github-token',
     _edit_yaml(_wf(PR), lambda d: _step(d, RUN_ACTION)["with"].pop("github-token"))),
    ("PR run with another sanitizer than the build", "but run with ['address']",
     _edit_yaml(_wf(PR), lambda d: _set(_step(d, RUN_ACTION)["with"], "sanitizer", "address"))),
    ("batch without workflow_dispatch", "`on` lacks ['workflow_dispatch']",
     _edit_yaml(_wf(BATCH), lambda d: _on(d).pop("workflow_dispatch"))),
    ("batch fuzz-seconds 0", 'fuzz-seconds 0 is not an integer',
     _edit_yaml(_wf(BATCH), lambda d: _set(_step(d, RUN_ACTION)["with"], "fuzz-seconds", 0))),
    ("batch mode code-change", "run_fuzzers modes ['code-change']",
     _edit_yaml(_wf(BATCH), lambda d: _set(_step(d, RUN_ACTION)["with"], "mode", "code-change"))),
    ("batch shorter than PR fuzzing", 'should exceed PR fuzz-seconds',
     _edit_yaml(_wf(BATCH), lambda d: _set(_step(d, RUN_ACTION)["with"], "fuzz-seconds", 60))),
    ("batch malformed cron", 'is not {cron:',
     _edit_yaml(_wf(BATCH), lambda d: _set(_on(d), "schedule", [{"cron": "daily"}]))),
    ("cron without the coverage job", "expected ['coverage', 'prune']",
     _edit_yaml(_wf(CRON), lambda d: [d["jobs"].pop(j) for j in list(d["jobs"])
                                      if _step(d, RUN_ACTION, j)["with"].get("mode") == "coverage"])),
    ("cron coverage built with address", "built with ['address'] but run with ['coverage']",
     _edit_yaml(_wf(CRON), lambda d: [_set(_step(d, BUILD_ACTION, j)["with"], "sanitizer", "address")
                                      for j in d["jobs"]
                                      if _step(d, RUN_ACTION, j)["with"].get("mode") == "coverage"])),
    ("cron with write permissions", 'permissions should be read-only',
     _edit_yaml(_wf(CRON), lambda d: _set(d, "permissions", "write-all"))),
    ("workflow without `on`", 'no `on` triggers',
     _edit_yaml(_wf(CRON), lambda d: d.pop(True, None) or d.pop("on", None))),
    ("workflow YAML syntax error", 'does not parse',
     _edit_text(_wf(BATCH), lambda t: t + "\n  : [unclosed\n")),
    ("workflow duplicate key", "duplicate key 'permissions'",
     _edit_text(_wf(PR), lambda t: t + "\npermissions: write-all\n")),
    ("a workflow missing", 'cflite_batch.yml missing',
     lambda root: os.remove(os.path.join(root, _wf(BATCH)))),
    ("project.yaml language c", "project.yaml: language 'c'",
     _edit_yaml(os.path.join(CFL_DIR, "project.yaml"), lambda d: _set(d, "language", "c"))),
    ("build.sh not executable", 'is not executable',
     lambda root: os.chmod(os.path.join(root, CFL_DIR, "build.sh"), 0o644)),
    ("build.sh does not call ci/oss-fuzz/build.sh", 'does not call ci/oss-fuzz/build.sh',
     _edit_text(os.path.join(CFL_DIR, "build.sh"),
                lambda t: t.replace(OSS_FUZZ_BUILD, "ci/oss-fuzz/other.sh"))),
    ("build.sh only mentions ci/oss-fuzz/build.sh in a comment", 'does not call ci/oss-fuzz/build.sh',
     _edit_text(os.path.join(CFL_DIR, "build.sh"),
                lambda t: "\n".join(l if l.startswith("#") or OSS_FUZZ_BUILD not in l
                                    else "# " + l + "\ntrue" for l in t.splitlines()) + "\n")),
    ("build.sh syntax error", 'bash -n',
     _edit_text(os.path.join(CFL_DIR, "build.sh"), lambda t: t + "\nif then fi (\n")),
    ("Dockerfile without COPY of build.sh", 'no `COPY .clusterfuzzlite/build.sh',
     _edit_text(os.path.join(CFL_DIR, "Dockerfile"),
                lambda t: "\n".join(l for l in t.splitlines()
                                    if not (l.startswith("COPY") and "build.sh" in l)) + "\n")),
    ("Dockerfile without COPY of the repository", 'no `COPY . $SRC/<dir>`',
     _edit_text(os.path.join(CFL_DIR, "Dockerfile"),
                lambda t: re.sub(r"(?m)^COPY \. .*$", "", t))),
    ("Dockerfile copies the repository elsewhere than build.sh expects", 'elsewhere than $SRC/elsewhere',
     _edit_text(os.path.join(CFL_DIR, "Dockerfile"),
                lambda t: re.sub(r"\$SRC/ddimap\b", "$SRC/elsewhere", t))),
    ("Dockerfile from another base image", 'expected gcr.io/oss-fuzz-base/base-builder',
     _edit_text(os.path.join(CFL_DIR, "Dockerfile"),
                lambda t: re.sub(r"(?m)^FROM .*$", "FROM ubuntu:22.04", t))),
]


def self_test(root):
    files = [os.path.join(WORKFLOWS_DIR, n) for n in EXPECTED] + \
            [os.path.join(CFL_DIR, n) for n in ("project.yaml", "Dockerfile", "build.sh")]
    baseline = check_repo(root, quiet=True)
    if baseline:
        print("self-test: the repository itself fails; run without --self-test first")
        return 1
    missed = 0
    with tempfile.TemporaryDirectory(prefix="cflite-selftest-") as tmp:
        for label, expected, mutate in MUTATIONS:
            scratch = os.path.join(tmp, "repo")
            shutil.rmtree(scratch, ignore_errors=True)
            for rel in files:
                os.makedirs(os.path.dirname(os.path.join(scratch, rel)), exist_ok=True)
                shutil.copy2(os.path.join(root, rel), os.path.join(scratch, rel))
            # An untouched copy must pass, or a mutation proves nothing.
            if check_repo(scratch, quiet=True):
                print("self-test: the scratch copy fails before any mutation")
                return 1
            try:
                mutate(scratch)
            except Exception as e:  # the self-test no longer matches the files
                print(f"MISS {label}: mutation could not be applied ({e!r})")
                missed += 1
                continue
            errors = check_repo(scratch, quiet=True)
            hit = [e for e in errors if expected in e]
            if hit:
                print(f"caught {label}: {hit[0].splitlines()[0]}")
            elif errors:
                print(f"MISS {label}: expected a failure mentioning {expected!r}, got:")
                for e in errors:
                    print(f"    {e}")
                missed += 1
            else:
                print(f"MISS {label}: the broken copy passed")
                missed += 1
    print(f"workflows_test --self-test: {len(MUTATIONS) - missed}/{len(MUTATIONS)} "
          "deliberate mistakes caught")
    return 1 if missed else 0


def main(argv):
    args = argv[1:]
    selftest = "--self-test" in args
    args = [a for a in args if a != "--self-test"]
    if len(args) != 1:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    root = os.path.abspath(args[0])
    if selftest:
        return self_test(root)
    return 1 if check_repo(root) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
