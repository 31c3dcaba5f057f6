#!/usr/bin/python3
"""Keeps docs/openapi.yaml true to the server: test_openapi.py REPO_ROOT.

Checks, on the files under REPO_ROOT:
  1. docs/openapi.yaml is structurally sound OpenAPI 3.1 (version, info, paths,
     responses with a 2xx or 3xx, every $ref resolves, every path template
     parameter declared, operationIds unique, security schemes and tags known);
  2. the (method, path) pairs of the route table in src/server/routes.c equal
     those of docs/openapi.yaml;
  3. every API route of routes.c is in the route table at the top of
     docs/API.md, and that table names no route the server does not have.
Then it checks itself: it runs on mutated copies of those three files (a
route removed, a dangling $ref, ...) and fails unless each mutation adds the
failure it should — so it cannot pass vacuously. --no-self-check skips that
part (the self-check runs the script with it on each copy).

Prints every problem found, one per line, and exits 1 if there is any.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

OPENAPI = os.path.join("docs", "openapi.yaml")
ROUTES_C = os.path.join("src", "server", "routes.c")
API_MD = os.path.join("docs", "API.md")

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# routes.c matches a path ending in '/' as a prefix: the paths one segment
# below it. Each such route must be listed here with its OpenAPI template; a
# prefix route missing from this table fails the test (add it here, with the
# template docs/openapi.yaml uses). "/" is the web UI's page itself.
PREFIX_ROUTES = {
    "/": "/",
    "/api/images/": "/api/images/{id}",
    "/images/": "/images/{id}",
    "/assets/": "/assets/{path}",
    "/assets/*": "/assets/{path}",
}

# Routes of the web UI (static files): not part of the API, so docs/API.md
# need not list them.
WEB_PATHS = {"/", "/assets/{path}"}

EXACT_PATH = re.compile(r"^(/[a-z0-9_.-]+)+$")
TABLE_ENTRY = re.compile(r'\{\s*"([A-Z]+)"\s*,\s*"([^"]*)"\s*,\s*(\w+)\s*\}')
TEMPLATE_PARAM = re.compile(r"\{([^{}]+)\}")


class Problems:
    """Collects the problems found; each is one line of output."""

    def __init__(self):
        self.lines = []

    def add(self, where, message):
        self.lines.append(f"{where}: {message}")


def read(root, rel):
    with open(os.path.join(root, rel), encoding="utf-8") as f:
        return f.read()


# ---------------------------------------------------------------- routes.c


def openapi_path_of(c_path):
    """The OpenAPI path template a routes.c path stands for; ValueError
    (with what to do) for one this script does not know how to map."""
    if c_path in PREFIX_ROUTES:
        return PREFIX_ROUTES[c_path]
    if c_path.endswith("/") or "*" in c_path:
        raise ValueError(
            f"prefix route '{c_path}' has no OpenAPI template: add it to PREFIX_ROUTES "
            "in tests/docs/test_openapi.py"
        )
    if not EXACT_PATH.match(c_path):
        raise ValueError(f"route path '{c_path}' is not a plain path this script can map")
    return c_path


def code_routes(root, problems):
    """{(METHOD, openapi_path)} of the route table in routes.c."""
    text = read(root, ROUTES_C)
    table = re.search(r"\btable\s*\[\s*\]\s*=\s*\{(.*?)\n\};", text, re.S)
    if not table:
        problems.add(ROUTES_C, "no 'table[] = { ... };' found: the route table moved or changed shape")
        return set()
    routes = set()
    for method, path, handler in TABLE_ENTRY.findall(table.group(1)):
        try:
            routes.add((method, openapi_path_of(path)))
        except ValueError as e:
            problems.add(ROUTES_C, f"{method} {path} ({handler}): {e}")
    if not routes:
        problems.add(ROUTES_C, 'no {"METHOD", "/path", handler} entry in the route table')
    return routes


# ------------------------------------------------------------- openapi.yaml


def resolve_pointer(doc, ref):
    """The value a local $ref ("#/a/b") names, or raises KeyError."""
    if not ref.startswith("#/"):
        raise KeyError("only local references (#/...) are used in this file")
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(f"'{part}' not found")
    return node


def deref(doc, node):
    """node, following $ref chains (at most 16 links)."""
    for _ in range(16):
        if not (isinstance(node, dict) and "$ref" in node):
            return node
        try:
            node = resolve_pointer(doc, node["$ref"])
        except KeyError:
            return None
    return None


def check_refs(doc, problems):
    def walk(node, where):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                try:
                    resolve_pointer(doc, ref)
                except KeyError as e:
                    problems.add(OPENAPI, f"{where}: $ref '{ref}' does not resolve: {e}")
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}/{i}")

    walk(doc, "#")


def check_parameters(doc, path, item, op_name, op, problems):
    """Every {name} of the template is a required path parameter, and every
    path parameter is in the template."""
    where = f"{op_name.upper()} {path}"
    declared = {}
    for source in (item.get("parameters") or [], op.get("parameters") or []):
        for p in source:
            p = deref(doc, p)
            if not isinstance(p, dict) or "name" not in p or "in" not in p:
                problems.add(OPENAPI, f"{where}: a parameter without 'name' and 'in'")
                continue
            if p["in"] == "path":
                declared[p["name"]] = p
    in_template = set(TEMPLATE_PARAM.findall(path))
    for name in sorted(in_template):
        if name not in declared:
            problems.add(OPENAPI, f"{where}: path parameter '{{{name}}}' is not declared")
        elif declared[name].get("required") is not True:
            problems.add(OPENAPI, f"{where}: path parameter '{name}' must say required: true")
    for name in sorted(set(declared) - in_template):
        problems.add(OPENAPI, f"{where}: path parameter '{name}' is not in the path template")


def check_operation(doc, path, item, op_name, op, problems, seen_ids):
    where = f"{op_name.upper()} {path}"
    if not isinstance(op, dict):
        problems.add(OPENAPI, f"{where}: the operation is not a mapping")
        return
    op_id = op.get("operationId")
    if not isinstance(op_id, str) or not op_id:
        problems.add(OPENAPI, f"{where}: no operationId")
    elif op_id in seen_ids:
        problems.add(OPENAPI, f"{where}: operationId '{op_id}' is also used by {seen_ids[op_id]}")
    else:
        seen_ids[op_id] = where
    responses = op.get("responses")
    if not isinstance(responses, dict) or not responses:
        problems.add(OPENAPI, f"{where}: no responses")
        return
    for code, response in responses.items():
        if not isinstance(code, str):
            problems.add(OPENAPI, f"{where}: response code {code!r} must be quoted (a string)")
        elif not re.fullmatch(r"[1-5](\d\d|XX)|default", code):
            problems.add(OPENAPI, f"{where}: '{code}' is not a response code")
        response = deref(doc, response)
        if not isinstance(response, dict) or not isinstance(response.get("description"), str):
            problems.add(OPENAPI, f"{where}: response {code} has no description")
    if not any(str(code)[0] in "23" for code in responses):
        problems.add(OPENAPI, f"{where}: no 2xx or 3xx response")
    schemes = (doc.get("components") or {}).get("securitySchemes") or {}
    for requirement in op.get("security") or []:
        for name in requirement:
            if name not in schemes:
                problems.add(OPENAPI, f"{where}: security scheme '{name}' is not defined")
    declared_tags = {t.get("name") for t in doc.get("tags") or [] if isinstance(t, dict)}
    for tag in op.get("tags") or []:
        if tag not in declared_tags:
            problems.add(OPENAPI, f"{where}: tag '{tag}' is not declared in the top-level tags")
    check_parameters(doc, path, item, op_name, op, problems)


def spec_routes(doc, problems):
    """Checks the document's structure; returns its {(METHOD, path)}."""
    routes = set()
    if not isinstance(doc, dict):
        problems.add(OPENAPI, "not a YAML mapping")
        return routes
    version = doc.get("openapi")
    if not (isinstance(version, str) and re.fullmatch(r"3\.1\.\d+", version)):
        problems.add(OPENAPI, f"'openapi' must be a 3.1.x version string, not {version!r}")
    info = doc.get("info")
    if not (isinstance(info, dict) and isinstance(info.get("title"), str)
            and isinstance(info.get("version"), str)):
        problems.add(OPENAPI, "'info' needs a string 'title' and a string 'version'")
    servers = doc.get("servers")
    if not (isinstance(servers, list) and servers
            and all(isinstance(s, dict) and isinstance(s.get("url"), str) for s in servers)):
        problems.add(OPENAPI, "'servers' must list at least one server with a 'url'")
    paths = doc.get("paths")
    if not isinstance(paths, dict) or not paths:
        problems.add(OPENAPI, "no 'paths'")
        return routes
    check_refs(doc, problems)
    seen_ids = {}
    for path, item in paths.items():
        if not (isinstance(path, str) and path.startswith("/")):
            problems.add(OPENAPI, f"path {path!r} must start with '/'")
            continue
        if not isinstance(item, dict):
            problems.add(OPENAPI, f"{path}: the path item is not a mapping")
            continue
        ops = [name for name in item if name in HTTP_METHODS]
        if not ops:
            problems.add(OPENAPI, f"{path}: no operation")
        for name in ops:
            routes.add((name.upper(), path))
            check_operation(doc, path, item, name, item[name], problems, seen_ids)
    return routes


# ------------------------------------------------------------------ API.md


def api_md_routes(root, problems):
    """{(METHOD, openapi_path)} of the first table of API.md whose header
    starts with '| route | method |'."""
    routes = set()
    lines = read(root, API_MD).splitlines()
    start = next((i for i, line in enumerate(lines)
                  if re.match(r"\|\s*route\s*\|\s*method\s*\|", line)), None)
    if start is None:
        problems.add(API_MD, "no route table (a table whose header starts '| route | method |')")
        return routes
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        path = re.search(r"`([^`]+)`", cells[0])
        if not path or len(cells) < 2:
            problems.add(API_MD, f"route table row without a `path` and a method: {line}")
            continue
        # /api/images/ID -> /api/images/{id}: an upper-case segment is a parameter.
        template = re.sub(r"/([A-Z][A-Z_]*)(?=/|$)", lambda m: "/{" + m.group(1).lower() + "}",
                          path.group(1))
        for method in re.split(r"[,\s]+", cells[1]):
            if method:
                routes.add((method.upper(), template))
    if not routes:
        problems.add(API_MD, "the route table has no rows")
    return routes


# ------------------------------------------------------------------- checks


def by_path(routes):
    """routes sorted by path, then method, as "METHOD /path" strings."""
    return [f"{m} {p}" for p, m in sorted((p, m) for m, p in routes)]


def check_repo(root):
    problems = Problems()
    try:
        doc = yaml.safe_load(read(root, OPENAPI))
    except yaml.YAMLError as e:
        problems.add(OPENAPI, f"not valid YAML: {e}")
        doc = None
    in_spec = spec_routes(doc, problems) if doc is not None else set()
    in_code = code_routes(root, problems)
    if in_code and doc is not None:
        for route in by_path(in_code - in_spec):
            problems.add(OPENAPI, f"{route} is in {ROUTES_C}'s table but not here")
        for route in by_path(in_spec - in_code):
            problems.add(OPENAPI, f"{route} is not in {ROUTES_C}'s table")
    in_md = api_md_routes(root, problems)
    if in_code and in_md:
        api_routes = {(m, p) for m, p in in_code if p not in WEB_PATHS}
        for route in by_path(api_routes - in_md):
            problems.add(API_MD, f"{route} is in {ROUTES_C}'s table but not in the route table")
        for route in by_path(in_md - in_code):
            problems.add(API_MD, f"the route table lists {route}, which the server does not have")
    return problems.lines


# --------------------------------------------------------------- self-check

class MutationMissed(Exception):
    """A mutation's pattern is no longer in the file it mutates."""


# Each mutation: (what it does, file, function text -> mutated text, a
# fragment the new problem must contain).
def _remove_delete_operation(text):
    out, n = re.subn(r"\n    delete:\n      operationId: deleteImage\n(?:      .*\n|\n)*?(?=  /images/)",
                     "\n", text)
    if n != 1:
        raise MutationMissed("DELETE /api/images/{id} not found")
    return out


def _sub_once(pattern, replacement):
    def mutate(text):
        out, n = re.subn(pattern, replacement, text, count=1, flags=re.M)
        if n != 1:
            raise MutationMissed(f"{pattern!r} not found")
        return out
    return mutate


MUTATIONS = [
    ("an operation removed from the YAML", OPENAPI, _remove_delete_operation,
     "DELETE /api/images/{id} is in src/server/routes.c's table but not here"),
    ("a dangling $ref", OPENAPI,
     _sub_once(r'#/components/schemas/Health"', '#/components/schemas/NoSuchSchema"'),
     "does not resolve"),
    ("an undeclared path parameter", OPENAPI,
     _sub_once(r"^  /api/images/\{id\}:$", "  /api/images/{image}:"),
     "path parameter '{image}' is not declared"),
    ("a duplicate operationId", OPENAPI,
     _sub_once(r"operationId: headHealth$", "operationId: getHealth"),
     "operationId 'getHealth' is also used"),
    ("an operation with only an error response", OPENAPI,
     _sub_once(r"^      responses:\n        \"200\":\n          description: The server is up \(no body\)\.$",
               '      responses:\n        "404":\n          description: gone.'),
     "no 2xx or 3xx response"),
    ("a YAML syntax error", OPENAPI, _sub_once(r"^paths:$", "paths: [unclosed"),
     "not valid YAML"),
    ("OpenAPI 3.0 instead of 3.1", OPENAPI, _sub_once(r"^openapi: 3\.1\.\d+$", "openapi: 3.0.3"),
     "must be a 3.1.x version"),
    ("an unquoted response code", OPENAPI,
     _sub_once(r'^(      responses:\n        )"200"(:\n          description: The server is up\.)$',
               r"\g<1>200\g<2>"),
     "must be quoted"),
    ("an undefined security scheme", OPENAPI, _sub_once(r"- bearerAuth: \[\]$", "- tokenAuth: []"),
     "security scheme 'tokenAuth' is not defined"),
    ("a route added to routes.c", ROUTES_C,
     _sub_once(r'^(\s*)\{"GET", "/healthz", route_healthz\},$',
               r'\g<0>\n\g<1>{"PUT", "/api/images/", route_image},'),
     "PUT /api/images/{id} is in src/server/routes.c's table but not here"),
    ("a route added to routes.c but not to API.md", ROUTES_C,
     _sub_once(r'^(\s*)\{"GET", "/healthz", route_healthz\},$',
               r'\g<0>\n\g<1>{"PUT", "/api/images/", route_image},'),
     "PUT /api/images/{id} is in src/server/routes.c's table but not in the route"),
    ("a prefix route this script cannot map", ROUTES_C,
     _sub_once(r'^(\s*)\{"GET", "/healthz", route_healthz\},$',
               r'\g<0>\n\g<1>{"GET", "/unknown/", route_healthz},'),
     "prefix route '/unknown/' has no OpenAPI template"),
    ("the route table renamed", ROUTES_C, _sub_once(r"\btable\[\] = \{", "routes[] = {"),
     "no 'table[] = { ... };' found"),
    ("a row removed from API.md's table", API_MD,
     _sub_once(r"^\| \[`/api/me`\].*\n", ""),
     "GET /api/me is in src/server/routes.c's table but not in the route"),
    ("a row in API.md for a route that does not exist", API_MD,
     _sub_once(r"^(\| \[`/api/me`\].*\n)", r"\g<1>| `/api/you` | GET | session | nobody |\n"),
     "lists GET /api/you, which the server does not have"),
]


def run_checks_on(root):
    """Runs this script (checks only) on root: (exit status, output lines)."""
    done = subprocess.run([sys.executable, os.path.abspath(__file__), "--no-self-check", root],
                          capture_output=True, text=True, timeout=120)
    return done.returncode, set(done.stdout.splitlines())


def self_check(root):
    """Problems with the checks themselves: a mutation that adds no failure."""
    failures = []
    with tempfile.TemporaryDirectory(prefix="test_openapi.") as tmp:
        base = os.path.join(tmp, "base")
        for rel in (OPENAPI, ROUTES_C, API_MD):
            os.makedirs(os.path.dirname(os.path.join(base, rel)), exist_ok=True)
            shutil.copyfile(os.path.join(root, rel), os.path.join(base, rel))
        # The copy must give what the checks on root gave: same files, same answer.
        base_status, base_lines = run_checks_on(base)
        for i, (what, rel, mutate, expected) in enumerate(MUTATIONS):
            copy = os.path.join(tmp, f"mutant{i}")
            shutil.copytree(base, copy)
            try:
                mutated = mutate(read(copy, rel))
            except MutationMissed as e:
                failures.append(f"self-check '{what}': the mutation did not apply: {e} "
                                "(update it in MUTATIONS to the file as it is now)")
                continue
            with open(os.path.join(copy, rel), "w", encoding="utf-8") as f:
                f.write(mutated)
            status, lines = run_checks_on(copy)
            new = lines - base_lines
            if status == 0 or not any(expected in line for line in new):
                failures.append(
                    f"self-check '{what}': expected a new failure containing '{expected}', "
                    f"got exit status {status} and new lines {sorted(new) or 'none'}")
            else:
                print(f"ok: self-check '{what}' is caught")
    return base_status, base_lines, failures


def main(argv):
    args = [a for a in argv[1:] if a != "--no-self-check"]
    if len(args) != 1 or not os.path.isdir(args[0]):
        print("usage: test_openapi.py [--no-self-check] REPO_ROOT", file=sys.stderr)
        return 2
    root = args[0]
    problems = check_repo(root)
    for line in problems:
        print(line)
    if "--no-self-check" in argv:
        return 1 if problems else 0
    base_status, base_lines, failures = self_check(root)
    if (base_status != 0) != bool(problems) or base_lines != set(problems):
        failures.append("self-check: the checks gave another answer on a copy of the same files")
    for line in failures:
        print(line)
    if problems or failures:
        print(f"FAILED: {len(problems)} problem(s) in the repository, "
              f"{len(failures)} in the self-check")
        return 1
    print(f"passed: openapi.yaml, routes.c and API.md agree; {len(MUTATIONS)} mutations caught")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
