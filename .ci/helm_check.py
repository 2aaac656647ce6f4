#!/usr/bin/env python3
"""Renders the TicketLens Helm chart and validates what it renders. Run by .ci/helm_check.sh.

Cases:
  default          the chart's defaults              must lint clean, render and validate
  scale-out        ci-values/scale-out.yaml          must lint clean, render and validate
  sqlite-replicas  ci-values/sqlite-replicas.yaml    must FAIL to render, saying PostgreSQL
                                                     is required to scale out
  repositories     ci-values/repositories.yaml       must render two [[repositories]] (one by
                                                     URL, with module overrides)

Rendering is offline, through helm-python-sdk (module helm_python: Helm's Go SDK behind a C
ABI). Chart.render() coalesces the values with the chart defaults, checks them against
values.schema.json and raises HelmRenderError when a template calls `fail`. helm_python.lint()
returns its findings as data, and in lint mode Helm turns `fail` into a log line, so lint
cannot catch the sqlite-replicas case: only the render can.

Every rendered object is validated with kubernetes-validate in strict mode (unknown fields are
errors) against the oldest Kubernetes the chart claims (Chart.yaml kubeVersion ">=X.Y") and
the newest kubernetes-validate ships schemas for. Custom resources listed in KNOWN_CRDS have
no schema there: they are skipped by name and a SKIP line says so. Any other object without a
schema fails the check. A few chart invariants (listen address, probes, security context,
secrets only from Secret references) are checked on top.

Exit status: 0 when every case passes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import helm_python as helm
import kubernetes_validate
import yaml

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover
    tomllib = None  # type: ignore[assignment]

RELEASE = "ticketlens"
NAMESPACE = "ticketlens"
SCALE_OUT_MESSAGE = "PostgreSQL is required to scale out"

# Custom resources kubernetes-validate has no schema for: (apiVersion, kind) -> why.
KNOWN_CRDS = {
    ("monitoring.coreos.com/v1", "ServiceMonitor"): "Prometheus Operator CRD",
}

SECRET_LIKE = re.compile(r"secret|token|password|passwd|api_key|apikey|private_key|credential", re.I)


@dataclass(frozen=True)
class Case:
    name: str
    values_file: str | None  # relative to the chart
    # kinds the render must produce, exactly; None: the render must fail
    kinds: frozenset[str] | None
    scale_out: bool = False


CASES = [
    Case(
        "default",
        None,
        frozenset({"ConfigMap", "Deployment", "PersistentVolumeClaim", "Service", "ServiceAccount"}),
    ),
    Case(
        "scale-out",
        "ci-values/scale-out.yaml",
        frozenset(
            {
                "ConfigMap",
                "Deployment",
                "HorizontalPodAutoscaler",
                "Ingress",
                "NetworkPolicy",
                "PodDisruptionBudget",
                "Service",
                "ServiceAccount",
                "ServiceMonitor",
            }
        ),
        scale_out=True,
    ),
    Case("sqlite-replicas", "ci-values/sqlite-replicas.yaml", None),
    Case(
        "repositories",
        "ci-values/repositories.yaml",
        frozenset({"ConfigMap", "Deployment", "PersistentVolumeClaim", "Service", "ServiceAccount"}),
    ),
]


def version_key(v: str) -> tuple[int, ...]:
    return tuple(int(p) for p in v.split("."))


def kube_versions(chart: helm.Chart, requested: list[str]) -> list[str]:
    """The versions to validate against, as major.minor."""
    known = sorted({".".join(v.split(".")[:2]) for v in kubernetes_validate.utils.all_versions()}, key=version_key)
    if requested:
        versions = [v.lstrip("v") for v in requested]
    else:
        versions = [known[-1]]
        m = re.match(r"^\s*>=?\s*v?(\d+)\.(\d+)", str(chart.metadata.get("kubeVersion", "")))
        if m:
            versions.insert(0, f"{m.group(1)}.{m.group(2)}")
    for v in versions:
        if ".".join(v.split(".")[:2]) not in known:
            raise SystemExit(
                f"helm_check: kubernetes-validate {kubernetes_validate.__version__} has no schemas "
                f"for Kubernetes {v} (it knows {known[0]} to {known[-1]})"
            )
    return sorted(set(versions), key=version_key)


def load_values(chart_dir: Path, case: Case) -> dict[str, Any] | None:
    if case.values_file is None:
        return None
    # Helm's own YAML reading, so the values mean exactly what `helm -f` makes of them.
    return helm.values_from_yaml((chart_dir / case.values_file).read_text())


def lint(chart_dir: Path, values: dict[str, Any] | None, versions: list[str]) -> tuple[list[str], list[str]]:
    """(problems, infos): lint warnings and errors are problems."""
    problems: list[str] = []
    infos: list[str] = []
    for v in versions:
        report = helm.lint(chart_dir, values, namespace=NAMESPACE, kube_version=f"v{v}.0")
        for msg in report.get("messages", []):
            text = f"{msg.get('path')}: {str(msg.get('error')).strip()}"
            if msg.get("severity", 0) >= 2:
                problems.append(f"lint (Kubernetes {v}): {text}")
            elif text not in infos:
                infos.append(text)
    return problems, infos


def objects_of(rendered: dict[str, str]) -> tuple[list[tuple[str, dict[str, Any]]], list[str]]:
    """Every rendered object with its template; NOTES.txt is not a manifest."""
    objects: list[tuple[str, dict[str, Any]]] = []
    problems: list[str] = []
    for template, text in sorted(rendered.items()):
        if template.endswith("NOTES.txt"):
            continue
        try:
            docs = [d for d in yaml.safe_load_all(text) if d]
        except yaml.YAMLError as e:
            problems.append(f"{template}: not YAML: {e}")
            continue
        for doc in docs:
            if not isinstance(doc, dict) or not {"apiVersion", "kind", "metadata"} <= doc.keys():
                problems.append(f"{template}: not a Kubernetes object: {str(doc)[:80]}")
                continue
            objects.append((template, doc))
    return objects, problems


def describe(obj: dict[str, Any]) -> str:
    return f"{obj['apiVersion']} {obj['kind']} {obj['metadata'].get('name')}"


def validate(
    case: Case, objects: list[tuple[str, dict[str, Any]]], versions: list[str]
) -> tuple[list[str], int, list[str]]:
    """(problems, number validated, skipped CRD kinds)."""
    problems: list[str] = []
    skipped: list[str] = []
    validated = 0
    for template, obj in objects:
        crd = KNOWN_CRDS.get((obj["apiVersion"], obj["kind"]))
        if crd is not None:
            print(
                f"SKIP {case.name}: {describe(obj)} ({template}): {crd}, no schema in "
                f"kubernetes-validate, not validated"
            )
            skipped.append(obj["kind"])
            continue
        ok = True
        for v in versions:
            try:
                kubernetes_validate.validate(obj, v, strict=True)
            except kubernetes_validate.ValidationError as e:
                path = ".".join(str(p) for p in e.path) or "(top)"
                problems.append(f"{describe(obj)} ({template}) invalid for Kubernetes {v}: {path}: {e.message}")
                ok = False
            except kubernetes_validate.SchemaNotFoundError as e:
                problems.append(
                    f"{describe(obj)} ({template}): {e.message}; a CRD must be listed in KNOWN_CRDS "
                    f"to be skipped"
                )
                ok = False
            except Exception as e:  # noqa: BLE001 - any other failure is a failed check
                problems.append(f"{describe(obj)} ({template}) could not be validated for {v}: {e}")
                ok = False
        validated += ok
    return problems, validated, skipped


def chart_checks(case: Case, objects: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Invariants of this chart that schemas cannot see."""
    problems: list[str] = []
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for _, obj in objects:
        by_kind.setdefault(obj["kind"], []).append(obj)

    kinds = frozenset(by_kind)
    if case.kinds is not None and kinds != case.kinds:
        problems.append(
            f"rendered kinds {sorted(kinds)}; expected {sorted(case.kinds)} "
            f"(missing {sorted(case.kinds - kinds)}, unexpected {sorted(kinds - case.kinds)})"
        )
    if "Secret" in by_kind:
        problems.append("the chart rendered a Secret: secrets must come from existing Secrets")
    deployments = by_kind.get("Deployment", [])
    configmaps = by_kind.get("ConfigMap", [])
    if len(deployments) != 1 or len(configmaps) != 1:
        return problems + ["expected exactly one Deployment and one ConfigMap"]
    pod = deployments[0]["spec"]["template"]
    spec = pod["spec"]
    container = spec["containers"][0]

    def need(cond: bool, what: str) -> None:
        if not cond:
            problems.append(what)

    ports = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
    need("http" in ports, "the container has no port named http")
    need(
        re.fullmatch(r"[0-9a-f]{64}", pod["metadata"].get("annotations", {}).get("checksum/config", "")) is not None,
        "the pod template has no checksum/config annotation",
    )
    need(spec.get("enableServiceLinks") is False, "enableServiceLinks must be false (TICKETLENS_* service env)")
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        got = container.get(probe, {}).get("httpGet", {})
        need(got.get("path") == path and got.get("port") == "http", f"{probe} must GET {path} on port http")
    psc, csc = spec.get("securityContext", {}), container.get("securityContext", {})
    need(psc.get("runAsNonRoot") is True or csc.get("runAsNonRoot") is True, "runAsNonRoot is not set")
    need(csc.get("readOnlyRootFilesystem") is True, "readOnlyRootFilesystem is not true")
    need(csc.get("allowPrivilegeEscalation") is False, "allowPrivilegeEscalation is not false")
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    tmp = [m for m in container.get("volumeMounts", []) if m["mountPath"] == "/tmp"]
    need(bool(tmp) and "emptyDir" in volumes.get(tmp[0]["name"], {}), "/tmp is not an emptyDir")

    env = {e["name"]: e for e in container.get("env", [])}
    for name, e in env.items():
        if name.startswith("TICKETLENS_") and name != "TICKETLENS_CONFIG":
            need("secretKeyRef" in e.get("valueFrom", {}), f"env {name} is not read from a Secret")
    if case.scale_out:
        need("TICKETLENS_DATABASE__URL" in env, "scale-out: TICKETLENS_DATABASE__URL is not set from a Secret")
        replicas = deployments[0]["spec"].get("replicas")
        need(
            "HorizontalPodAutoscaler" in by_kind or (replicas or 0) > 1,
            "scale-out: neither an HPA nor more than one replica",
        )

    data = configmaps[0].get("data", {})
    config_file = env.get("TICKETLENS_CONFIG", {}).get("value", "")
    text = data.get(Path(config_file).name)
    if text is None:
        problems.append(f"TICKETLENS_CONFIG ({config_file!r}) names no key of the ConfigMap")
    elif tomllib is None:
        print(f"NOTE {case.name}: Python < 3.11, the configuration TOML is not parsed")
    else:
        try:
            toml = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            return problems + [f"the ConfigMap's TOML does not parse: {e}"]
        listen = toml.get("server", {}).get("listen")
        need(
            listen == f"0.0.0.0:{ports.get('http')}",
            f"server.listen is {listen!r}, expected '0.0.0.0:{ports.get('http')}'",
        )
        for section, keys in toml.items():
            for key in keys if isinstance(keys, dict) else {}:
                need(not SECRET_LIKE.search(key), f"the ConfigMap holds a secret-looking key {section}.{key}")
        mount = "/var/lib/ticketlens"
        index_dir = toml.get("codeindex", {}).get("index_dir", "")
        need(str(index_dir).startswith(mount), f"codeindex.index_dir {index_dir!r} is not on the data volume")
        if case.name == "repositories":
            repos = toml.get("repositories", [])
            need(
                [r.get("name") for r in repos] == ["app", "tools"],
                f"[[repositories]] not rendered as configured: {repos!r}",
            )
            if len(repos) == 2:
                need(repos[0].get("url") == "https://github.com/acme/app.git", "the URL repository lost its url")
                need(
                    repos[0].get("modules") == {"src/auth/**": "auth", "src/billing/**": "billing"},
                    f"module overrides not rendered: {repos[0].get('modules')!r}",
                )
                need(repos[1].get("path") == "/var/lib/ticketlens/repos/tools.git", "the path repository lost its path")
        url = toml.get("database", {}).get("url")
        if case.scale_out:
            need(url is None, "scale-out: the ConfigMap sets database.url")
        else:
            need(str(url).startswith("sqlite:///"), f"database.url is {url!r}, expected an absolute sqlite path")
    return problems


def run_case(chart: helm.Chart, chart_dir: Path, case: Case, versions: list[str]) -> bool:
    values = load_values(chart_dir, case)

    if case.kinds is None:  # must fail to render
        try:
            rendered = chart.render(values, name=RELEASE, namespace=NAMESPACE)
        except helm.HelmRenderError as e:
            message = str(e).strip()
            if SCALE_OUT_MESSAGE in message:
                print(f"PASS {case.name}: render failed as expected: {message}")
                return True
            print(f"FAIL {case.name}: render failed, but not with {SCALE_OUT_MESSAGE!r}: {message}")
            return False
        except helm.HelmError as e:
            print(f"FAIL {case.name}: expected a template failure, got {type(e).__name__}: {e}")
            return False
        print(f"FAIL {case.name}: rendered {len(rendered)} templates; SQLite with replicas must not render")
        return False

    lint_problems, infos = lint(chart_dir, values, versions)
    problems = list(lint_problems)
    try:
        rendered = chart.render(values, name=RELEASE, namespace=NAMESPACE)
    except helm.HelmError as e:
        for p in problems:
            print(f"  ERROR {case.name}: {p}")
        print(f"FAIL {case.name}: render failed: {type(e).__name__}: {str(e).strip()}")
        return False
    objects, parse_problems = objects_of(rendered)
    problems += parse_problems
    invalid, validated, skipped = validate(case, objects, versions)
    problems += invalid
    problems += chart_checks(case, objects)

    for p in problems:
        print(f"  ERROR {case.name}: {p}")
    kinds = ", ".join(sorted({o['kind'] for _, o in objects}))
    against = " and ".join(versions)
    summary = (
        f"{case.name}: {len(objects)} objects rendered ({kinds}); {validated} validated strictly "
        f"against Kubernetes {against}"
    )
    if skipped:
        summary += f", {len(skipped)} CRD skipped ({', '.join(skipped)})"
    if lint_problems:
        summary += f"; lint: {len(lint_problems)} warning(s) or error(s)"
    else:
        summary += f"; lint clean ({len(infos)} info: {'; '.join(infos)})" if infos else "; lint clean"
    if problems:
        print(f"FAIL {summary}; {len(problems)} problem(s)")
        return False
    print(f"PASS {summary}; chart checks ok")
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chart", type=Path, help="chart directory, e.g. helm/ticketlens")
    parser.add_argument(
        "--kube-version",
        action="append",
        default=[],
        help="Kubernetes major.minor to validate against (repeatable); default: the chart's "
        "kubeVersion lower bound and the newest kubernetes-validate knows",
    )
    args = parser.parse_args()
    chart_dir: Path = args.chart

    with helm.Chart.load(chart_dir) as chart:
        versions = kube_versions(chart, args.kube_version)
        print(
            f"helm_check: chart {chart.name} {chart.version} ({chart_dir}); "
            f"helm-python-sdk {metadata.version('helm-python-sdk')} (helm-c {helm.helm_c_version()}, "
            f"Helm SDK {helm.helm_sdk_version()}); kubernetes-validate {kubernetes_validate.__version__}"
        )
        passed = sum(run_case(chart, chart_dir, case, versions) for case in CASES)
    print(f"helm_check: {passed} of {len(CASES)} cases passed")
    return 0 if passed == len(CASES) else 1


if __name__ == "__main__":
    sys.exit(main())
