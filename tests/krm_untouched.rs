//! `litegate krm` returns the items it does not own unchanged: the same bytes on stdout, and
//! through `kpt fn eval`, the same bytes in the user's files. And it accepts any valid list:
//! 10,000 items, `.nan`, big integers, binary, anchors, comments.

mod common;

use std::path::Path;
use std::process::Command;

use common::{DUMMY_ENV, allow_dummy_env, kpt, litegate, litegate_stdin, root};
use serde_json::Value;

/// Items as a user or kpt writes them: values a YAML 1.1 reader or a float would change,
/// tags, anchors, block scalars, flow style and comments everywhere.
const ODD_ITEMS: &str = r#"# a comment before the first item
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: odd # the name
  data:
    # octal-looking, boolean-looking, numbers past f64
    octal: 0022
    no: NO
    on: on
    version: 3.10
    date: 2024-10-21
    big: 123456789012345678901234567890
    nan: .nan
    inf: .inf
    neg: -.inf
    hex: 0x1F
    empty:
    tilde: ~
    single: 'it''s'
    double: "tab\there"
    bin: !!binary aGVsbG8gd29ybGQ=
    anchor: &shared shared value
    alias: *shared
    literal: |
      first line
        indented line

      after a blank line
    folded: >-
      folded
      text
    keep: |+
      kept

# a comment between items, at column 0
- {apiVersion: v1, kind: Service, metadata: {name: flow}} # flow style
- apiVersion: example.com/v1
  kind: Thing
  metadata:
    name: thing
  spec:
    list: [1, 2.50, 1e3, null, true]
    nested:
      - - deep
        - 010
    custom: !mytag custom value
    merged:
      <<: {a: 1}
# a comment after the last item
"#;

fn spec(example: &str) -> String {
    std::fs::read_to_string(root().join(example)).expect("readable")
}

fn indented(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_owned()
            } else {
                format!("  {l}\n")
            }
        })
        .collect()
}

fn krm(input: &str) -> (i32, String) {
    let out = litegate_stdin(&["krm"], DUMMY_ENV, input);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("UTF-8"),
    )
}

/// The objects `litegate render` prints, as values.
fn rendered(example: &str) -> Vec<Value> {
    let out = litegate(&["render", example], DUMMY_ENV);
    assert_eq!(out.status.code(), Some(0));
    serde_saphyr::from_multiple::<Value>(&String::from_utf8_lossy(&out.stdout))
        .expect("multi-document YAML")
        .into_iter()
        .filter(|v| !v.is_null())
        .collect()
}

/// `appended` (block sequence entries) read as the objects they are.
fn objects(appended: &str) -> Vec<Value> {
    let list: Value = serde_saphyr::from_str(&format!("items:\n{appended}")).expect("YAML");
    list["items"].as_array().expect("a sequence").clone()
}

#[test]
fn odd_items_come_back_byte_for_byte_with_the_objects_after_them() {
    let head =
        format!("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n{ODD_ITEMS}");
    let input = format!(
        "{head}functionConfig:\n{}",
        indented(&spec("examples/minimal.yaml"))
    );
    let (code, out) = krm(&input);
    assert_eq!(code, 0, "{out}");
    let appended = out
        .strip_prefix(&head)
        .unwrap_or_else(|| panic!("the items were changed:\n{out}"));
    assert_eq!(objects(appended), rendered("examples/minimal.yaml"));
}

#[test]
fn the_items_keep_their_bytes_wherever_the_function_config_stands() {
    let items = format!("items:\n{ODD_ITEMS}");
    let extra = "extra: {kept: 0022, flag: on} # not litegate's\n";
    let input = format!(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nfunctionConfig:\n{}{items}{extra}",
        indented(&spec("examples/minimal.yaml"))
    );
    let (code, out) = krm(&input);
    assert_eq!(code, 0, "{out}");
    let at = out
        .find(&items)
        .unwrap_or_else(|| panic!("the items were changed:\n{out}"));
    let rest = &out[at + items.len()..];
    let (appended, tail) = rest.split_at(rest.find("extra:").expect("extra is kept"));
    assert_eq!(tail, extra, "other top-level keys are kept as they are");
    assert_eq!(objects(appended), rendered("examples/minimal.yaml"));
    assert!(!out.contains("functionConfig"), "{out}");
}

#[test]
fn a_json_resource_list_keeps_its_items_text() {
    let spec: Value = serde_saphyr::from_str(&spec("examples/minimal.yaml")).expect("YAML");
    let items = r#"[{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "big"},
   "data": {"n": 123456789012345678901234567890, "x": 1e400, "z": 0.10, "o": "0022"}}]"#;
    let input = format!(
        r#"{{"apiVersion": "config.kubernetes.io/v1", "kind": "ResourceList", "items": {items}, "functionConfig": {spec}}}"#
    );
    let (code, out) = krm(&input);
    assert_eq!(code, 0, "{out}");
    let kept = &items[..items.len() - 1];
    assert!(out.contains(kept), "the items were changed:\n{out}");
    assert!(!out.contains("functionConfig"), "{out}");
    let list: Value = serde_saphyr::from_str(&out.replace("1e400", "1")).expect("YAML");
    let all = list["items"].as_array().expect("items");
    assert_eq!(all[1..].to_vec(), rendered("examples/minimal.yaml"));
}

#[test]
fn ten_thousand_items_are_accepted() {
    // Each item as kpt sends it: with the annotations kpt adds to keep track of it.
    const KPT: [&str; 6] = [
        "config.kubernetes.io/index",
        "config.kubernetes.io/path",
        "internal.config.kubernetes.io/index",
        "internal.config.kubernetes.io/path",
        "internal.config.kubernetes.io/id",
        "config.k8s.io/id",
    ];
    let item = |i: usize| {
        let annotations: String = KPT.iter().map(|k| format!("      {k}: '{i}'\n")).collect();
        format!(
            "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: cm-{i}\n    annotations:\n{annotations}  data:\n    n: \"{i}\"\n"
        )
    };
    let items: String = (0..10_000).map(item).collect();
    let head = format!("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n{items}");
    let input = format!(
        "{head}functionConfig:\n{}",
        indented(&spec("examples/minimal.yaml"))
    );
    let (code, out) = krm(&input);
    assert_eq!(code, 0, "{}", &out[out.len().saturating_sub(2000)..]);
    let appended = out
        .strip_prefix(&head)
        .expect("the items are kept as they are");
    assert_eq!(objects(appended), rendered("examples/minimal.yaml"));
}

#[test]
fn a_long_comment_block_is_kept_not_refused() {
    let block: String = (0..300).map(|i| format!("# licence line {i}\n")).collect();
    let nested: String = (0..300).map(|i| format!("    # note {i}\n")).collect();
    let head = format!(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- a: 1\n{block}- b:\n{nested}    c: 2\n"
    );
    let input = format!(
        "{head}functionConfig:\n{}",
        indented(&spec("examples/minimal.yaml"))
    );
    let (code, out) = krm(&input);
    assert_eq!(code, 0, "{}", &out[out.len().saturating_sub(2000)..]);
    let appended = out
        .strip_prefix(&head)
        .expect("the items are kept as they are");
    assert_eq!(objects(appended), rendered("examples/minimal.yaml"));
}

#[test]
fn a_list_with_nan_and_infinities_is_accepted() {
    let head = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: f}, data: {a: .nan, b: .inf, c: -.Inf}}\n";
    let input = format!(
        "{head}functionConfig:\n{}",
        indented(&spec("examples/minimal.yaml"))
    );
    let (code, out) = krm(&input);
    assert_eq!(code, 0, "{out}");
    let appended = out.strip_prefix(head).expect("the item is kept as it is");
    assert_eq!(objects(appended), rendered("examples/minimal.yaml"));
}

#[test]
fn every_form_of_list_gets_the_objects_and_keeps_its_items() {
    let fc = format!(
        "functionConfig:\n{}",
        indented(&spec("examples/minimal.yaml"))
    );
    let head = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\n";
    // (input, its items text kept verbatim, the items it has)
    let forms = [
        (
            format!("{head}items:\n  - a: 1 # wide\n{fc}"),
            "  - a: 1 # wide\n",
            1,
        ),
        (format!("{head}items: [] # none yet\n{fc}"), "items:", 0),
        (format!("{head}items: [a, b,]\n{fc}"), "items: [a, b", 2),
        (format!("{head}{fc}"), "", 0),
        (format!("{head}items: ~\n{fc}"), "", 0),
        (
            format!("{head}{fc}items:\n- x # last, no newline"),
            "- x # last, no newline",
            1,
        ),
        (
            format!("--- # start\n{head}items:\n- x\n{fc}...\n"),
            "--- # start\n",
            1,
        ),
        (
            format!("{head}items: [x]\nresults: [{{message: old}}]\n{fc}"),
            "items: [x",
            1,
        ),
        (
            format!("{head}items:\n- x\n{fc}").replace('\n', "\r\n"),
            "items:\r\n- x\r\n",
            1,
        ),
    ];
    let expected = rendered("examples/minimal.yaml");
    for (input, kept, count) in forms {
        let (code, out) = krm(&input);
        assert_eq!(code, 0, "{input}\n=>\n{out}");
        assert!(out.contains(kept), "{kept:?} was changed:\n{out}");
        let list: Value = serde_saphyr::from_str(&out).expect("YAML");
        let items = list["items"].as_array().expect("items");
        assert_eq!(items[count..].to_vec(), expected, "{out}");
        assert!(
            list.get("results").is_none() && list.get("functionConfig").is_none(),
            "{out}"
        );
        if input.contains('\r') {
            assert_eq!(
                out.matches('\n').count(),
                out.matches("\r\n").count(),
                "CRLF kept"
            );
        }
    }
}

#[test]
fn an_item_using_an_anchor_of_the_function_config_is_refused_not_left_dangling() {
    let input = format!(
        "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nfunctionConfig: &spec\n{}items:\n- *spec\n",
        indented(&spec("examples/minimal.yaml"))
    );
    let (code, out) = krm(&input);
    assert_eq!(code, 1, "{out}");
    let list: Value = serde_saphyr::from_str(&out).expect("still a ResourceList");
    assert_eq!(list["kind"], "ResourceList");
    let message = list["results"][0]["message"].as_str().expect("a message");
    assert!(message.contains("anchor"), "{message}");
}

/// A package's files, each with values and comments kpt itself leaves alone.
const PACKAGE: &[(&str, &str)] = &[("odd.yaml", ODD_FILE), ("two.yaml", TWO_FILE)];

const ODD_FILE: &str = r#"# Values a YAML 1.1 reader or a float would change, and comments everywhere.
apiVersion: v1
kind: ConfigMap
metadata:
  name: odd # the name
  labels:
    app: odd
data:
  # octal-looking, boolean-looking, numbers past f64
  octal: 0022
  no: NO
  on: on
  yes: Yes
  version: 3.10
  date: 2024-10-21
  big: 123456789012345678901234567890
  nan: .nan
  inf: .inf
  neg: -.inf
  hex: 0x1F
  empty:
  tilde: ~
  single: 'it''s'
  double: "tab\there"
  bin: !!binary aGVsbG8gd29ybGQ=
  anchor: &shared shared value
  alias: *shared
  literal: |
    first line
      indented line

    after a blank line
  keep: |+
    kept

  strip: |-
    stripped
  # a comment at the end of data
"#;

const TWO_FILE: &str = r#"apiVersion: v1
kind: Service
metadata: {name: flow, labels: {tier: "01"}} # flow style
spec:
  ports:
  - port: 80 # http
    targetPort: 8080
  - {port: 443, name: https}
---
# the second document
apiVersion: example.com/v1
kind: Thing
metadata:
  name: thing
spec:
  list: [1, 2.50, 1e3, null, true]
  nested:
    - - deep
      - 010
  custom: !mytag custom value
"#;

fn write_package(dir: &Path) {
    std::fs::create_dir(dir).expect("mkdir");
    for (name, text) in PACKAGE {
        std::fs::write(dir.join(name), text).expect("write");
    }
}

/// `kpt fn eval PKG --exec SCRIPT --fn-config examples/minimal.yaml`, in a clean environment.
fn kpt_eval(pkg: &Path, script: &str, home: &Path) {
    let wrapper = home.join(format!(
        "fn-{}",
        pkg.file_name().and_then(|n| n.to_str()).unwrap_or("x")
    ));
    std::fs::write(&wrapper, format!("#!/bin/sh\n{script}\n")).expect("write");
    let chmod = Command::new("chmod").arg("755").arg(&wrapper).status();
    assert!(chmod.is_ok_and(|s| s.success()), "chmod");
    let out = Command::new(kpt())
        .args(["fn", "eval"])
        .arg(pkg)
        .arg("--exec")
        .arg(&wrapper)
        .arg("--fn-config")
        .arg(root().join("examples/minimal.yaml"))
        .env_clear()
        .envs(DUMMY_ENV.iter().copied())
        .env(allow_dummy_env().0, allow_dummy_env().1)
        .env("HOME", home)
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .expect("kpt runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn kpt_fn_eval_leaves_every_file_of_the_package_as_it_was() {
    let dir = tempfile::tempdir().expect("tempdir");
    // What kpt does with a function that returns its input: the baseline to measure against.
    let identity = dir.path().join("identity");
    write_package(&identity);
    kpt_eval(&identity, "exec cat", dir.path());
    for (name, text) in PACKAGE {
        let after = std::fs::read_to_string(identity.join(name)).expect("readable");
        assert_eq!(
            &after, text,
            "kpt itself rewrote {name}: the fixture must avoid that"
        );
    }
    let pkg = dir.path().join("litegate");
    write_package(&pkg);
    kpt_eval(
        &pkg,
        &format!("exec {} krm", env!("CARGO_BIN_EXE_litegate")),
        dir.path(),
    );
    for (name, text) in PACKAGE {
        let after = std::fs::read_to_string(pkg.join(name)).expect("readable");
        assert_eq!(&after, text, "{name} was changed");
    }
    let name = |o: &Value| format!("{}/{}", o["kind"], o["metadata"]["name"]);
    let mut added: Vec<String> = std::fs::read_dir(&pkg)
        .expect("pkg")
        .map(|e| e.expect("entry").path())
        .filter(|p| !PACKAGE.iter().any(|(n, _)| p.ends_with(n)))
        .map(|p| {
            let text = std::fs::read_to_string(p).expect("readable");
            name(&serde_saphyr::from_str(&text).expect("one object"))
        })
        .collect();
    added.sort();
    let mut expected: Vec<String> = rendered("examples/minimal.yaml").iter().map(name).collect();
    expected.sort();
    assert_eq!(added, expected, "the generated objects are written too");
}
