#!/usr/bin/env python3
"""Checks ddimap's ClusterFuzzLite and OSS-Fuzz integration files: .clusterfuzzlite/,
.github/workflows/ and the OSS-Fuzz project directory ci/oss-fuzz/.

    workflows_test.py REPO_ROOT              check the repository (ctest cflite_workflows)
    workflows_test.py --self-test REPO_ROOT  break scratch copies of those files one way at
                                             a time and check that each breakage is caught
                                             (ctest cflite_workflows_selftest)

What a correct integration looks like comes from the ClusterFuzzLite documentation:
  https://google.github.io/clusterfuzzlite/build-integration/
  https://google.github.io/clusterfuzzlite/running-clusterfuzzlite/
  https://google.github.io/clusterfuzzlite/running-clusterfuzzlite/github-actions/
the inputs the two actions declare (tests/ci/clusterfuzzlite_actions.yml, read from their
action.yml files), the OSS-Fuzz new-project guide
  https://google.github.io/oss-fuzz/getting-started/new-project-guide/
and OSS-Fuzz's own presubmit checks (google/oss-fuzz infra/presubmit.py, infra/ci/check_base_os.py
at commit 955c6866c152471d78c7472c0f1f354343548b9f, 2026-08-20; restated here, not copied).

Checked:
  * every YAML file under .github/workflows parses (duplicate keys are errors, as on GitHub)
    and has `on` triggers and jobs with runs-on and steps;
  * cflite_pr.yml: on pull_request; its job builds with build_fuzzers then runs run_fuzzers
    with mode code-change for a sanitizer matrix of exactly address and undefined;
  * cflite_build.yml: on push; build_fuzzers only, with upload-build true, for every sanitizer
    PR fuzzing uses (PR fuzzing tells a new crash from one the base commit has by that build);
  * cflite_batch.yml, cflite_batch_undefined.yml: on schedule and workflow_dispatch; mode
    batch; address and undefined between them; fuzz longer than PR fuzzing;
  * cflite_cron.yml: on schedule; a prune job and a coverage job (sanitizer coverage);
  * every job of a cflite_* workflow: one build_fuzzers step then (but in cflite_build.yml) one
    run_fuzzers step, pinned (@v1 or a commit), with language c++ and the same sanitizer, values
    among address, undefined, coverage (matrix expressions resolved); run_fuzzers has the GitHub
    token, an integer fuzz-seconds > 0 and a known mode;
  * every `with:` input is one the action declares at the pinned ref, every required input
    without a default is given, boolean inputs are booleans, mode is a documented one;
  * output-sarif true for modes code-change, batch and prune (as the documentation's examples);
  * the jobs that upload the corpus (modes batch and prune) fuzz with one sanitizer each and
    share one concurrency group: the corpus artifact of a target (cifuzz-corpus-<target>) does
    not name the sanitizer, so two such jobs at once would upload it under the same name;
  * .clusterfuzzlite/project.yaml: language c++, sanitizers among the allowed ones;
  * .clusterfuzzlite/build.sh: executable, valid bash, runs ci/oss-fuzz/build-targets.sh from
    where the Dockerfile puts the repository;
  * .clusterfuzzlite/Dockerfile: FROM the OSS-Fuzz base-builder, copies the repository into
    $SRC/<dir>, works there, and copies .clusterfuzzlite/build.sh into $SRC;
  * both Dockerfiles: the FROM tag matches project.yaml's base_os_version (ubuntu-24-04 needs
    the tag ubuntu-24-04); apt-get install only after apt-get update in the same RUN; nothing
    installed that the base image has (cmake, zip, pip);
  * ci/oss-fuzz/project.yaml: only section names and values OSS-Fuzz's presubmit accepts;
    main_repo, homepage, primary_contact (an e-mail address), language c++, libfuzzer among
    the engines; each placeholder (example.invalid) explained by a comment, and what OSS-Fuzz
    requires of primary_contact (an established committer, a Google account) said;
  * ci/oss-fuzz/Dockerfile: works from an OSS-Fuzz project directory: its COPY sources are files
    of ci/oss-fuzz/ (the build context there), it clones main_repo and works in the clone;
  * ci/oss-fuzz/build.sh: executable, valid bash, runs build-targets.sh from the clone;
  * the Apache-2.0 licence header (OSS-Fuzz's presubmit looks for its URL) in every Dockerfile,
    *.sh and *.py of ci/oss-fuzz/ and .clusterfuzzlite/.

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

HERE = os.path.dirname(os.path.abspath(__file__))
WORKFLOWS_DIR = os.path.join(".github", "workflows")
CFL_DIR = ".clusterfuzzlite"
OSS_FUZZ_DIR = os.path.join("ci", "oss-fuzz")
ACTION_PREFIX = "google/clusterfuzzlite/actions/"
BUILD_ACTION = ACTION_PREFIX + "build_fuzzers"
RUN_ACTION = ACTION_PREFIX + "run_fuzzers"
ACTIONS_DATA = os.path.join(HERE, "clusterfuzzlite_actions.yml")
SANITIZERS = {"address", "undefined", "coverage"}
FUZZING_SANITIZERS = {"address", "undefined"}  # PR fuzzing's matrix; batch fuzzing's, all files together
CORPUS_MODES = {"batch", "prune"}              # the modes that upload cifuzz-corpus-<target>
SARIF_MODES = {"code-change", "batch", "prune"}
LANGUAGE = "c++"
OSS_FUZZ_BUILD = "ci/oss-fuzz/build-targets.sh"
LICENSE_URL = "http://www.apache.org/licenses/LICENSE-2.0"
PLACEHOLDER = "example.invalid"

# The workflow files the integration consists of, and what each must be (modes: those of its
# run_fuzzers steps; none for the continuous build).
PR, BUILD, CRON = "cflite_pr.yml", "cflite_build.yml", "cflite_cron.yml"
BATCH, BATCH_UBSAN = "cflite_batch.yml", "cflite_batch_undefined.yml"
BATCHES = (BATCH, BATCH_UBSAN)
EXPECTED = {
    PR: {"triggers": {"pull_request"}, "modes": {"code-change"}},
    BUILD: {"triggers": {"push"}, "modes": set()},
    BATCH: {"triggers": {"schedule", "workflow_dispatch"}, "modes": {"batch"}},
    BATCH_UBSAN: {"triggers": {"schedule", "workflow_dispatch"}, "modes": {"batch"}},
    CRON: {"triggers": {"schedule"}, "modes": {"prune", "coverage"}},
}

# OSS-Fuzz's presubmit (infra/presubmit.py ProjectYamlChecker, infra/constants.py) and
# infra/ci/check_base_os.py at google/oss-fuzz 955c6866 (2026-08-20).
OSS_FUZZ_SECTIONS = {
    "architectures", "auto_ccs", "blackbox", "builds_per_day", "coverage_extra_args", "disabled",
    "disable_remediation", "disable_remediation_pre_review", "fuzzing_engines", "help_url",
    "homepage", "language", "labels", "main_repo", "primary_contact", "run_tests", "sanitizers",
    "selective_unpack", "vendor_ccs", "view_restrictions", "file_github_issue", "indexer",
    "base_os_version"}
OSS_FUZZ_SANITIZERS = {"address", "none", "memory", "undefined", "thread", "coverage", "introspector",
                       "hwaddress"}
OSS_FUZZ_ENGINES = {"libfuzzer", "afl", "honggfuzz", "centipede", "none", "wycheproof"}
# base_os_version -> the tag its Dockerfile's FROM must name. Without base_os_version a project is
# "legacy": OSS-Fuzz expects the tag latest; ClusterFuzzLite's documentation uses v1.
BASE_OS_TAGS = {"ubuntu-24-04": {"ubuntu-24-04"}, None: {"latest", "v1"}}
# What the base-builder images already carry (base-clang installs CMake 3.29 into /usr/local,
# base-builder's install_deps installs zip; pip comes with its Python).
BASE_IMAGE_HAS = ("cmake", "zip", "pip")

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


def load_actions():
    """The recorded action inputs: {ref: {action name: {input: spec}}}, and the modes."""
    data = load_yaml(ACTIONS_DATA)
    return {ref: entry["actions"] for ref, entry in data["refs"].items()}, set(data["modes"])


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
        self.actions, self.modes = load_actions()

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
        self.cfl_jobs = []  # (workflow, job id, job, mode or None, sanitizers, fuzz-seconds)
        for name in names:
            where = f"{WORKFLOWS_DIR}/{name}"
            try:
                wf = load_yaml(os.path.join(wdir, name))
            except (yaml.YAMLError, OSError) as e:
                self.check(False, where, f"does not parse: {e}")
                continue
            if not self.check(isinstance(wf, dict), where, "is not a mapping"):
                continue
            self.workflow(name, where, wf)
        self.across_workflows()

    def across_workflows(self):
        """What holds between workflows: fuzzing times, sanitizers, the corpus artifacts."""
        def of(names, modes):
            return [j for j in self.cfl_jobs if j[0] in names and j[3] in modes]
        pr = [j[5] for j in of({PR}, {"code-change"}) if isinstance(j[5], int)]
        batch = [j[5] for j in of(set(BATCHES), {"batch"}) if isinstance(j[5], int)]
        if pr and batch:
            self.check(min(batch) > max(pr), f"{WORKFLOWS_DIR}/{BATCH}",
                       f"batch fuzz-seconds {min(batch)} should exceed PR fuzz-seconds {max(pr)}")
        batch_sanitizers = set().union(*(j[4] for j in of(set(BATCHES), {"batch"})))
        if all(os.path.exists(self.path(WORKFLOWS_DIR, b)) for b in BATCHES):
            self.check(batch_sanitizers == FUZZING_SANITIZERS, WORKFLOWS_DIR,
                       f"batch fuzzing covers sanitizers {sorted(batch_sanitizers)} between "
                       f"{' and '.join(BATCHES)}, expected {sorted(FUZZING_SANITIZERS)}")
        pr_sanitizers = set().union(*(j[4] for j in of({PR}, {"code-change"})))
        built = set().union(*(j[4] for j in of({BUILD}, {None})))
        if os.path.exists(self.path(WORKFLOWS_DIR, BUILD)):
            self.check(pr_sanitizers <= built, f"{WORKFLOWS_DIR}/{BUILD}",
                       f"continuous builds for {sorted(built)}, but PR fuzzing uses {sorted(pr_sanitizers)}: "
                       "without the base commit's build a known crash counts as new")
        corpus = of({j[0] for j in self.cfl_jobs}, CORPUS_MODES)
        groups = {}
        for name, job_id, job, mode, sanitizers, _ in corpus:
            jw = f"{WORKFLOWS_DIR}/{name}: job {job_id}"
            self.check(len(sanitizers) == 1, jw,
                       f"mode {mode} with sanitizers {sorted(sanitizers)}: one job per sanitizer would upload "
                       "the same corpus artifacts (cifuzz-corpus-<target>) in one run")
            conc = job.get("concurrency")
            group = conc.get("group") if isinstance(conc, dict) else conc
            ok = isinstance(group, str) and "${{" not in group
            self.check(ok, jw, f"mode {mode} needs a fixed concurrency group shared by every job that uploads "
                               f"the corpus, got {group!r}")
            if ok:
                groups.setdefault(group, []).append(jw)
        self.check(len(groups) <= 1, WORKFLOWS_DIR,
                   f"the jobs that upload the corpus use concurrency groups {sorted(groups)}, expected one")

    def workflow(self, name, where, wf):
        """Generic structure of any workflow, then the ClusterFuzzLite specifics."""
        triggers, on = triggers_of(wf)
        self.check(triggers is not None, where, "no `on` triggers")
        self.check(bool(triggers), where, "`on` names no event")
        jobs = wf.get("jobs")
        if not self.check(isinstance(jobs, dict) and jobs, where, "no jobs"):
            return
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
            return
        self.check(name in EXPECTED, where,
                   f"uses ClusterFuzzLite but is not one of {sorted(EXPECTED)}")
        expected = EXPECTED.get(name)
        if expected and triggers is not None:
            missing = expected["triggers"] - triggers
            self.check(not missing, where, f"`on` lacks {sorted(missing)} (has {sorted(triggers)})")
            if "schedule" in expected["triggers"] and "schedule" in triggers:
                self.schedule(where, on.get("schedule"))
        self.permissions(where, wf)

        modes = {}
        for job_id, job in jobs.items():
            if not isinstance(job, dict):
                continue
            result = self.cfl_job(f"{where}: job {job_id}", job, build_only=(name == BUILD))
            if result:
                mode, sanitizers, secs = result
                modes.setdefault(mode, []).append((job_id, sanitizers))
                self.cfl_jobs.append((name, job_id, job, mode, sanitizers, secs))
        if expected:
            got = {m for m in modes if m is not None}
            self.check(got == expected["modes"], where,
                       f"run_fuzzers modes {sorted(got)}, expected {sorted(expected['modes'])}")
        for mode, jobs_of_mode in modes.items():
            for job_id, sanitizers in jobs_of_mode:
                jw = f"{where}: job {job_id}"
                if mode == "code-change":
                    self.check(sanitizers == FUZZING_SANITIZERS, jw,
                               f"mode {mode} fuzzes with sanitizers {sorted(sanitizers)}, "
                               f"expected {sorted(FUZZING_SANITIZERS)}")
                elif mode == "batch":
                    self.check(sanitizers <= FUZZING_SANITIZERS, jw,
                               f"mode batch fuzzes with sanitizers {sorted(sanitizers)}, expected some of "
                               f"{sorted(FUZZING_SANITIZERS)}")
                elif mode == "coverage":
                    self.check(sanitizers == {"coverage"}, jw,
                               f"mode coverage needs sanitizer coverage, got {sorted(sanitizers)}")
                elif mode == "prune":
                    self.check("coverage" not in sanitizers, jw,
                               "mode prune must not use the coverage build")
                elif mode is None:
                    self.check(sanitizers <= FUZZING_SANITIZERS, jw,
                               f"continuous builds for {sorted(sanitizers)}, expected some of "
                               f"{sorted(FUZZING_SANITIZERS)}")

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

    def step_of(self, jw, steps, action, required=True):
        found = [(i, s) for i, s in enumerate(steps)
                 if isinstance(s, dict) and str(s.get("uses", "")).split("@")[0] == action]
        if not required and not found:
            return None, None
        if not self.check(len(found) == 1, jw, f"{len(found)} steps use {action}, expected 1"):
            return None, None
        i, step = found[0]
        uses = step["uses"]
        ref = uses.split("@", 1)[1] if "@" in uses else ""
        self.check(bool(PINNED_REF.match(ref)), jw,
                   f"{uses!r} is not pinned to a version (@v1) or a commit")
        if self.check(isinstance(step.get("with"), dict), jw, f"{action} has no `with` inputs"):
            self.inputs(jw, action, ref, step["with"])
        return i, step

    def inputs(self, jw, action, ref, given):
        """`with:` against the inputs the action declares at that ref."""
        name = action[len(ACTION_PREFIX):]
        declared = self.actions.get(ref, {}).get(name)
        if not self.check(declared is not None, jw,
                          f"{action}@{ref}: its inputs are not recorded in {os.path.basename(ACTIONS_DATA)} "
                          "(read that ref's action.yml and add them)"):
            return
        for key, value in given.items():
            spec = declared.get(key)
            if not self.check(spec is not None, jw,
                              f"{name}@{ref} declares no input {key!r} (declared: {', '.join(declared)})"):
                continue
            if spec.get("boolean"):
                ok = isinstance(value, bool) or str(value) in ("true", "false") or "${{" in str(value)
                self.check(ok, jw, f"{name} input {key} is boolean, got {value!r}")
        for key, spec in declared.items():
            if spec.get("required") and "default" not in spec:
                self.check(key in given, jw, f"{name}@{ref} requires input {key!r}")

    def cfl_job(self, jw, job, build_only=False):
        """(mode, sanitizers, fuzz-seconds) of a ClusterFuzzLite job; mode None for a build-only one."""
        steps = job.get("steps") or []
        if not any(isinstance(s, dict) and str(s.get("uses", "")).startswith(ACTION_PREFIX) for s in steps):
            return None
        bi, build = self.step_of(jw, steps, BUILD_ACTION)
        ri, run = self.step_of(jw, steps, RUN_ACTION, required=not build_only)
        if build is None:
            return None
        bw = build.get("with") or {}
        self.check(bw.get("language") == LANGUAGE, jw,
                   f"build_fuzzers language {bw.get('language')!r}, expected {LANGUAGE!r}")
        bs = self.resolve(jw, job, bw.get("sanitizer"))
        for s in bs:
            self.check(s in SANITIZERS, jw, f"sanitizer {s!r} not among {sorted(SANITIZERS)}")
        if build_only:
            self.check(run is None, jw, "a continuous build runs no fuzzers")
            self.check(bw.get("upload-build") in (True, "true"), jw,
                       f"build_fuzzers upload-build {bw.get('upload-build')!r}, expected true")
            return None, bs, None
        if run is None:
            return None
        self.check(bi < ri, jw, "run_fuzzers comes before build_fuzzers")
        rw = run.get("with") or {}
        self.check(rw.get("language") == LANGUAGE, jw,
                   f"run_fuzzers language {rw.get('language')!r}, expected {LANGUAGE!r}")
        rs = self.resolve(jw, job, rw.get("sanitizer"))
        self.check(bs == rs, jw, f"built with {sorted(bs)} but run with {sorted(rs)}")
        for s in rs - bs:
            self.check(s in SANITIZERS, jw, f"sanitizer {s!r} not among {sorted(SANITIZERS)}")
        secs = rw.get("fuzz-seconds")
        self.check(isinstance(secs, int) and not isinstance(secs, bool) and secs > 0, jw,
                   f"fuzz-seconds {secs!r} is not an integer > 0")
        token = str(rw.get("github-token", ""))
        self.check(re.fullmatch(r"\$\{\{\s*secrets\.GITHUB_TOKEN\s*\}\}", token) is not None, jw,
                   f"run_fuzzers github-token {token!r}, expected ${{{{ secrets.GITHUB_TOKEN }}}}")
        mode = rw.get("mode")
        self.check(mode in self.modes, jw, f"mode {mode!r} not among {sorted(self.modes)}")
        if mode in SARIF_MODES:
            self.check(rw.get("output-sarif") in (True, "true"), jw,
                       f"mode {mode}: run_fuzzers output-sarif {rw.get('output-sarif')!r}, expected true")
        return mode, rs, secs

    # .clusterfuzzlite

    def run_project(self):
        where = f"{CFL_DIR}/project.yaml"
        try:
            project = load_yaml(self.path(CFL_DIR, "project.yaml"))
        except (yaml.YAMLError, OSError) as e:
            self.check(False, where, f"does not parse: {e}")
            return None
        if not self.check(isinstance(project, dict), where, "is not a mapping"):
            return None
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
        return project

    def dockerfile_instructions(self, *rel):
        """The Dockerfile as (INSTRUCTION, arguments) with continuations joined."""
        with open(self.path(*rel), encoding="utf-8") as f:
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

    def base_image(self, where, instrs, project):
        """FROM base-builder with the tag project.yaml's base_os_version asks for; RUN lines
        that update before installing and install nothing the image has."""
        froms = [a for i, a in instrs if i == "FROM"]
        first = froms[0].split()[0] if froms else ""
        image, _, tag = first.partition(":")
        self.check(image == "gcr.io/oss-fuzz-base/base-builder", where,
                   f"first FROM is {froms[:1]}, expected gcr.io/oss-fuzz-base/base-builder")
        os_version = (project or {}).get("base_os_version")
        tags = BASE_OS_TAGS.get(os_version)
        if self.check(tags is not None, where,
                      f"project.yaml base_os_version {os_version!r} is none of {sorted(map(str, BASE_OS_TAGS))}"):
            self.check(tag in tags, where,
                       f"FROM tag {tag!r} does not match project.yaml's base_os_version {os_version!r} "
                       f"(expected {' or '.join(sorted(tags))})")
        for instr, args in instrs:
            if instr != "RUN":
                continue
            for part in re.split(r"&&|;", args):
                words = part.split()
                if "install" not in words:
                    continue
                if words[:1] in (["apt-get"], ["apt"]):
                    self.check(re.search(r"apt(-get)? update", args[:args.find(part)]) is not None, where,
                               f"`{part.strip()}` without apt-get update before it in the same RUN")
                elif not (words[:1] in (["pip"], ["pip3"]) or words[1:3] == ["-m", "pip"]):
                    continue
                for w in words[words.index("install") + 1:]:
                    name = re.match(r"[A-Za-z0-9_.+-]*", w.strip("'\"")).group()
                    if w.startswith("-") or not name:
                        continue
                    self.check(name not in BASE_IMAGE_HAS and name != "python3-pip", where,
                               f"installs {name}: the base image already has {', '.join(BASE_IMAGE_HAS)}")

    def run_dockerfile(self, project):
        """Returns the directory under $SRC the repository is copied to, or None."""
        where = f"{CFL_DIR}/Dockerfile"
        try:
            instrs = self.dockerfile_instructions(CFL_DIR, "Dockerfile")
        except OSError as e:
            self.check(False, where, f"cannot be read: {e}")
            return None
        self.base_image(where, instrs, project)
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

    def run_build_sh(self, rel_dir, repo_dir):
        where = f"{rel_dir}/build.sh"
        path = self.path(rel_dir, "build.sh")
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
                       "Dockerfile puts the repository) or the WORKDIR")

    # ci/oss-fuzz: the OSS-Fuzz project directory (projects/ddimap/ upstream)

    def run_oss_fuzz_project(self):
        where = f"{OSS_FUZZ_DIR}/project.yaml"
        try:
            project = load_yaml(self.path(OSS_FUZZ_DIR, "project.yaml"))
            with open(self.path(OSS_FUZZ_DIR, "project.yaml"), encoding="utf-8") as f:
                text = f.read()
        except (yaml.YAMLError, OSError) as e:
            self.check(False, where, f"does not parse: {e}")
            return None
        if not self.check(isinstance(project, dict), where, "is not a mapping"):
            return None
        unknown = sorted(set(project) - OSS_FUZZ_SECTIONS)
        self.check(not unknown, where, f"sections OSS-Fuzz's presubmit rejects: {unknown}")
        for key in ("homepage", "main_repo", "primary_contact"):
            self.check(isinstance(project.get(key), str) and project[key], where, f"no {key}")
        self.check(project.get("language") == LANGUAGE, where,
                   f"language {project.get('language')!r}, expected {LANGUAGE!r}")
        for address in [project.get("primary_contact")] + list(project.get("auto_ccs") or []):
            self.check(isinstance(address, str) and "@" in address and "." in address, where,
                       f"{address!r} is not an e-mail address")
        for key, allowed in (("sanitizers", OSS_FUZZ_SANITIZERS), ("fuzzing_engines", OSS_FUZZ_ENGINES)):
            values = project.get(key) or []
            names = {next(iter(v)) if isinstance(v, dict) else v for v in values}
            self.check(names <= allowed, where, f"{key} {sorted(map(str, names))} not all among {sorted(allowed)}")
        self.check("libfuzzer" in (project.get("fuzzing_engines") or ["libfuzzer"]), where,
                   "fuzzing_engines without libfuzzer, which OSS-Fuzz requires")
        # Placeholders are for a maintainer to replace: each one says so, and what OSS-Fuzz
        # requires of the primary contact is written down next to it.
        lines = text.splitlines()
        for n, line in enumerate(lines):
            if PLACEHOLDER in line and not line.lstrip().startswith("#"):
                self.check("#" in line, where, f"line {n + 1}: placeholder without a comment: {line.strip()}")
        comments = " ".join(l.split("#", 1)[1] for l in lines if "#" in l).lower()
        self.check("google account" in comments and "committer" in comments, where,
                   "no comment saying what OSS-Fuzz requires of primary_contact (an established committer's "
                   "address, tied to a Google account)")
        return project

    def run_oss_fuzz_dockerfile(self, project):
        """Returns the directory the Dockerfile clones main_repo into, or None."""
        where = f"{OSS_FUZZ_DIR}/Dockerfile"
        try:
            instrs = self.dockerfile_instructions(OSS_FUZZ_DIR, "Dockerfile")
        except OSError as e:
            self.check(False, where, f"cannot be read: {e}")
            return None
        self.base_image(where, instrs, project)
        # Upstream the build context is projects/ddimap/, which holds this directory's files only.
        context = set(os.listdir(self.path(OSS_FUZZ_DIR)))
        copied_build = False
        for instr, args in instrs:
            if instr not in ("COPY", "ADD"):
                continue
            words = [w for w in args.split() if not w.startswith("--")]
            srcs, dest = words[:-1], (words[-1] if words else "")
            for s in srcs:
                self.check(s.lstrip("./") in context, where,
                           f"{instr} {s}: not a file of {OSS_FUZZ_DIR}/ (upstream the build context is "
                           "projects/ddimap/, holding only these files)")
            if "build.sh" in [s.lstrip("./") for s in srcs] and re.fullmatch(r"\$(?:SRC|\{SRC\})/?", dest):
                copied_build = True
        self.check(copied_build, where, "no `COPY build.sh $SRC/`")
        main_repo = (project or {}).get("main_repo")
        clone_dir = None
        for instr, args in instrs:
            m = re.search(r"git clone\s+(?:--\S+\s+(?:\d+\s+)?)*(\S+)(?:\s+([A-Za-z0-9_.-]+))?", args) \
                if instr == "RUN" else None
            if m:
                self.check(m.group(1) == main_repo, where,
                           f"clones {m.group(1)}, but project.yaml's main_repo is {main_repo!r}")
                clone_dir = m.group(2) or os.path.basename(m.group(1)).removesuffix(".git")
        if not self.check(clone_dir is not None, where, "clones no repository (RUN git clone <main_repo> <dir>)"):
            return None
        workdirs = [a.rstrip("/") for i, a in instrs if i == "WORKDIR"]
        self.check(any(w in (clone_dir, f"$SRC/{clone_dir}", f"${{SRC}}/{clone_dir}") for w in workdirs), where,
                   f"no WORKDIR {clone_dir} (the clone)")
        return clone_dir

    def licence_headers(self):
        """OSS-Fuzz's presubmit wants the licence URL in every Dockerfile, *.sh and *.py it is given."""
        for rel_dir in (OSS_FUZZ_DIR, CFL_DIR):
            d = self.path(rel_dir)
            if not os.path.isdir(d):
                continue
            for name in sorted(os.listdir(d)):
                if name != "Dockerfile" and not name.endswith((".sh", ".py", ".Dockerfile")):
                    continue
                with open(os.path.join(d, name), encoding="utf-8") as f:
                    self.check(LICENSE_URL in f.read(), f"{rel_dir}/{name}",
                               "no Apache-2.0 licence header (OSS-Fuzz's presubmit looks for "
                               f"{LICENSE_URL})")

    def run(self):
        self.run_workflows()
        project = self.run_project()
        repo_dir = self.run_dockerfile(project)
        self.run_build_sh(CFL_DIR, repo_dir)
        oss_project = self.run_oss_fuzz_project()
        clone_dir = self.run_oss_fuzz_dockerfile(oss_project)
        self.run_build_sh(OSS_FUZZ_DIR, clone_dir)
        target = self.path(OSS_FUZZ_BUILD)
        self.check(os.path.isfile(target) and os.access(target, os.X_OK), OSS_FUZZ_BUILD,
                   "missing or not executable")
        self.licence_headers()
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
    ("build.sh does not call the shared build", f'does not call {OSS_FUZZ_BUILD}',
     _edit_text(os.path.join(CFL_DIR, "build.sh"),
                lambda t: t.replace(OSS_FUZZ_BUILD, "ci/oss-fuzz/other.sh"))),
    ("build.sh only mentions the shared build in a comment", f'does not call {OSS_FUZZ_BUILD}',
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
    # the corpus artifacts, continuous builds, SARIF
    ("batch with a sanitizer matrix", "would upload the same corpus artifacts",
     _edit_yaml(_wf(BATCH), lambda d: (
         _set(next(iter(d["jobs"].values())), "strategy", {"matrix": {"sanitizer": ["address", "undefined"]}}),
         _set(_step(d, BUILD_ACTION)["with"], "sanitizer", "${{ matrix.sanitizer }}"),
         _set(_step(d, RUN_ACTION)["with"], "sanitizer", "${{ matrix.sanitizer }}")))),
    ("the undefined batch workflow missing", f"{BATCH_UBSAN} missing",
     lambda root: os.remove(os.path.join(root, _wf(BATCH_UBSAN)))),
    ("prune job outside the corpus concurrency group", "needs a fixed concurrency group",
     _edit_yaml(_wf(CRON), lambda d: [d["jobs"][j].pop("concurrency", None) for j in d["jobs"]
                                      if _step(d, RUN_ACTION, j)["with"].get("mode") == "prune"])),
    ("continuous build without upload-build", "upload-build None, expected true",
     _edit_yaml(_wf(BUILD), lambda d: _step(d, BUILD_ACTION)["with"].pop("upload-build"))),
    ("continuous build for address only", "without the base commit's build",
     _edit_yaml(_wf(BUILD), lambda d: _set(next(iter(d["jobs"].values()))["strategy"]["matrix"],
                                           "sanitizer", ["address"]))),
    ("PR run_fuzzers without output-sarif", "output-sarif None, expected true",
     _edit_yaml(_wf(PR), lambda d: _step(d, RUN_ACTION)["with"].pop("output-sarif"))),
    # the actions' declared inputs
    ("run_fuzzers input misspelt", "declares no input 'fuzz-second'",
     _edit_yaml(_wf(PR), lambda d: _set(_step(d, RUN_ACTION)["with"], "fuzz-second", 300))),
    ("run_fuzzers input only a later ref declares", "declares no input 'report-ooms'",
     _edit_yaml(_wf(BATCH), lambda d: _set(_step(d, RUN_ACTION)["with"], "report-ooms", False))),
    ("action pinned to a ref whose inputs are not recorded", "are not recorded",
     _edit_yaml(_wf(CRON), lambda d: [_set(_step(d, BUILD_ACTION, j), "uses", BUILD_ACTION + "@v2")
                                      for j in d["jobs"]])),
    ("boolean input as a word", "input upload-build is boolean",
     _edit_yaml(_wf(BUILD), lambda d: _set(_step(d, BUILD_ACTION)["with"], "upload-build", "yes"))),
    ("required input missing", "requires input 'github-token'",
     _edit_yaml(_wf(BATCH_UBSAN), lambda d: _step(d, RUN_ACTION)["with"].pop("github-token"))),
    # the Dockerfiles and the base OS
    ("ClusterFuzzLite Dockerfile installs cmake", "installs cmake",
     _edit_text(os.path.join(CFL_DIR, "Dockerfile"), lambda t: t.replace("ninja-build", "ninja-build cmake", 1))),
    ("ClusterFuzzLite Dockerfile pip-installs cmake", "installs cmake",
     _edit_text(os.path.join(CFL_DIR, "Dockerfile"), lambda t: t + "RUN pip3 install 'cmake>=3.25'\n")),
    ("apt-get install without apt-get update", "without apt-get update",
     _edit_text(os.path.join(CFL_DIR, "Dockerfile"),
                lambda t: re.sub(r"apt-get update\s*(\\\n\s*)?&&\s*", "", t))),
    ("ClusterFuzzLite FROM tag not the base_os_version's", "does not match project.yaml's base_os_version",
     _edit_text(os.path.join(CFL_DIR, "Dockerfile"), lambda t: t.replace("base-builder:ubuntu-24-04", "base-builder:v1"))),
    ("OSS-Fuzz base_os_version dropped", "base_os_version None",
     _edit_yaml(os.path.join(OSS_FUZZ_DIR, "project.yaml"), lambda d: d.pop("base_os_version"))),
    # the OSS-Fuzz project directory
    ("OSS-Fuzz Dockerfile copies from the repository layout", "not a file of ci/oss-fuzz/",
     _edit_text(os.path.join(OSS_FUZZ_DIR, "Dockerfile"),
                lambda t: re.sub(r"(?m)^COPY build\.sh", "COPY ci/oss-fuzz/build.sh", t))),
    ("OSS-Fuzz Dockerfile clones another repository", "but project.yaml's main_repo",
     _edit_text(os.path.join(OSS_FUZZ_DIR, "Dockerfile"), lambda t: re.sub(r"https://\S+", "https://example.org/x.git", t))),
    ("OSS-Fuzz Dockerfile works outside the clone", "(the clone)",
     _edit_text(os.path.join(OSS_FUZZ_DIR, "Dockerfile"), lambda t: re.sub(r"(?m)^WORKDIR .*$", "WORKDIR /tmp", t))),
    ("OSS-Fuzz project.yaml with an unknown section", "sections OSS-Fuzz's presubmit rejects",
     _edit_yaml(os.path.join(OSS_FUZZ_DIR, "project.yaml"), lambda d: _set(d, "maintainer", "someone"))),
    ("OSS-Fuzz project.yaml without main_repo", "no main_repo",
     _edit_yaml(os.path.join(OSS_FUZZ_DIR, "project.yaml"), lambda d: d.pop("main_repo"))),
    ("OSS-Fuzz primary_contact requirements not written down", "what OSS-Fuzz requires of primary_contact",
     _edit_text(os.path.join(OSS_FUZZ_DIR, "project.yaml"),
                lambda t: "\n".join(l for l in t.splitlines() if "google account" not in l.lower()) + "\n")),
    ("OSS-Fuzz placeholder without its comment", "placeholder without a comment",
     _edit_text(os.path.join(OSS_FUZZ_DIR, "project.yaml"),
                lambda t: re.sub(r'(?m)^(homepage: "[^"]*")\s*#.*$', r"\1", t))),
    ("OSS-Fuzz build.sh calls something else", f'does not call {OSS_FUZZ_BUILD}',
     _edit_text(os.path.join(OSS_FUZZ_DIR, "build.sh"), lambda t: t.replace(OSS_FUZZ_BUILD, "ci/oss-fuzz/old.sh"))),
    ("licence header missing", "no Apache-2.0 licence header",
     _edit_text(os.path.join(OSS_FUZZ_DIR, "build.sh"), lambda t: t.replace(LICENSE_URL, "(licence)"))),
]


def self_test(root):
    files = [os.path.join(WORKFLOWS_DIR, n) for n in EXPECTED] + \
            [os.path.join(CFL_DIR, n) for n in ("project.yaml", "Dockerfile", "build.sh")] + \
            [os.path.join(OSS_FUZZ_DIR, n) for n in sorted(os.listdir(os.path.join(root, OSS_FUZZ_DIR)))
             if os.path.isfile(os.path.join(root, OSS_FUZZ_DIR, n))]
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
