//! Readers and resolvers on small repositories built here, asserting exact edges.

use super::{is_config, links, read, resolved_paths, Resolution};
use std::collections::HashMap;

/// Resolves the imports of a tree given as `(path, text)`; the outcomes of each file, with
/// the targets of every internal import sorted.
pub(super) fn resolve_tree(files: &[(&str, &str)]) -> HashMap<String, Vec<Resolution>> {
    let paths: Vec<String> = files.iter().map(|(p, _)| p.to_string()).collect();
    let facts: Vec<(&str, super::Facts)> = files
        .iter()
        .filter_map(|(p, t)| read(p, t).map(|f| (*p, f)))
        .collect();
    let configs = files
        .iter()
        .filter(|(p, _)| is_config(p))
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect();
    resolved_paths(paths, facts.iter().map(|(p, f)| (*p, f)), &configs)
        .into_iter()
        .map(|(p, mut list)| {
            for r in &mut list {
                if let Resolution::Internal(t) = r {
                    t.sort();
                }
            }
            (p, list)
        })
        .collect()
}

pub(super) fn to(paths: &[&str]) -> Resolution {
    Resolution::Internal(paths.iter().map(|p| p.to_string()).collect())
}

pub(super) fn ext(p: &str) -> Resolution {
    Resolution::External(p.to_string())
}

const ENGINE: &str = r#"package org.acme.core;

import org.acme.util.Strings;
import org.acme.util.*;
import static org.acme.util.Strings.trim;
import static org.acme.util.Strings.*;
import org.acme.core.Engine.Inner;
import java.util.List;
import org.acme.util.Gone;
/* import org.acme.util.Fake; */
// import org.acme.util.Fake2;

class Engine {
    String s = "import org.acme.x.Y;";
    String block = """
        import org.acme.z.Z;
        """;
    class Inner {}
}
"#;

#[test]
fn java_classes_wildcards_statics_and_nested_classes_resolve_and_comments_do_not_count() {
    let r = resolve_tree(&[
        ("java/org/acme/core/Engine.java", ENGINE),
        (
            "java/org/acme/util/Strings.java",
            "package org.acme.util;\npublic class Strings {}",
        ),
        (
            "java/org/acme/util/Numbers.java",
            "package org.acme.util;\nclass Numbers {}",
        ),
    ]);
    let strings = "java/org/acme/util/Strings.java";
    let util = to(&["java/org/acme/util/Numbers.java", strings]);
    assert_eq!(
        r["java/org/acme/core/Engine.java"],
        [
            to(&[strings]),
            util,
            to(&[strings]),
            to(&[strings]),
            to(&["java/org/acme/core/Engine.java"]),
            ext("java.util"),
            Resolution::Unresolved,
        ]
    );
    assert!(r["java/org/acme/util/Strings.java"].is_empty());
}

#[test]
fn kotlin_top_level_functions_and_scala_groups_resolve_to_their_package() {
    let r = resolve_tree(&[
        (
            "app/src/main/kotlin/com/acme/app/Main.kt",
            "package com.acme.app\n\nimport com.acme.text.trimAll\nimport com.acme.text.Words as W\nimport kotlinx.coroutines.launch\n",
        ),
        ("lib/src/main/kotlin/com/acme/text/StringExt.kt", "package com.acme.text\n\nfun trimAll() {}"),
        ("lib/src/main/kotlin/com/acme/text/Words.kt", "package com.acme.text\nclass Words"),
        (
            "web/src/main/scala/com/acme/web/Routes.scala",
            "package com.acme\npackage web\n\nimport com.acme.text.{Words, StringExt => S}, com.acme.app._\nimport scala.concurrent.Future\n",
        ),
    ]);
    let text = [
        "lib/src/main/kotlin/com/acme/text/StringExt.kt",
        "lib/src/main/kotlin/com/acme/text/Words.kt",
    ];
    assert_eq!(
        r["app/src/main/kotlin/com/acme/app/Main.kt"],
        [to(&text), to(&[text[1]]), ext("kotlinx.coroutines")]
    );
    assert_eq!(
        r["web/src/main/scala/com/acme/web/Routes.scala"],
        [
            to(&[text[1]]),
            to(&[text[0]]),
            to(&["app/src/main/kotlin/com/acme/app/Main.kt"]),
            ext("scala.concurrent"),
        ]
    );
}

#[test]
fn python_relative_imports_src_layouts_and_test_helpers_resolve() {
    let core = r#"
"""Docs.
import fake_in_docstring
"""
from . import util
from .util import helper
from ..outside import x
import pkg.util as u, os
from pkg.sub import (
    mod,
    thing as t,
)
x = 1; import json

def later():
    import pkg.sub.mod
    s = "import nothing"  # import also_nothing
"#;
    let r = resolve_tree(&[
        ("src/pkg/__init__.py", ""),
        ("src/pkg/core.py", core),
        ("src/pkg/util.py", "def helper(): pass"),
        (
            "src/pkg/sub/__init__.py",
            "from ..util import helper\nfrom . import mod\n",
        ),
        ("src/pkg/sub/mod.py", ""),
        (
            "tests/test_core.py",
            "from pkg.core import later\nfrom helpers import make\nimport pytest\n",
        ),
        ("tests/helpers.py", ""),
    ]);
    let util = "src/pkg/util.py";
    assert_eq!(
        r["src/pkg/core.py"],
        [
            to(&[util]),
            to(&[util]),
            Resolution::Unresolved,
            to(&[util]),
            ext("os"),
            to(&["src/pkg/sub/__init__.py", "src/pkg/sub/mod.py"]),
            ext("json"),
            to(&["src/pkg/sub/mod.py"]),
        ]
    );
    assert_eq!(
        r["src/pkg/sub/__init__.py"],
        [to(&[util]), to(&["src/pkg/sub/mod.py"])]
    );
    assert_eq!(
        r["tests/test_core.py"],
        [
            to(&["src/pkg/core.py"]),
            to(&["tests/helpers.py"]),
            ext("pytest")
        ]
    );
}

/// A class import links two files with weight 1 both ways; a wildcard import spreads 1 over
/// the package's files; a file's import of itself and an external import make no link.
#[test]
fn file_links_run_both_ways_and_a_package_import_spreads_its_weight() {
    let files = [
        (
            "org/acme/core/Engine.java",
            "package org.acme.core;\nimport org.acme.util.Strings;\nimport org.acme.util.*;\nimport org.acme.core.Engine;\nimport java.util.List;\nclass Engine {}",
        ),
        ("org/acme/util/Strings.java", "package org.acme.util;\nclass Strings {}"),
        ("org/acme/util/Numbers.java", "package org.acme.util;\nclass Numbers {}"),
        ("org/acme/ui/Screen.java", "package org.acme.ui;\nclass Screen {}"),
    ];
    let paths: Vec<String> = files.iter().map(|(p, _)| p.to_string()).collect();
    let facts: Vec<(&str, super::Facts)> = files
        .iter()
        .filter_map(|(p, t)| read(p, t).map(|f| (*p, f)))
        .collect();
    let l = links(paths, facts.iter().map(|(p, f)| (*p, f)), &HashMap::new());
    let of = |p: &str| -> Vec<(String, f32)> { l.of_file(p).to_vec() };
    let engine = "org/acme/core/Engine.java";
    assert_eq!(
        of(engine),
        [
            ("org/acme/util/Strings.java".to_string(), 1.5),
            ("org/acme/util/Numbers.java".to_string(), 0.5),
        ]
    );
    assert_eq!(
        of("org/acme/util/Strings.java"),
        [(engine.to_string(), 1.5)]
    );
    assert_eq!(
        of("org/acme/util/Numbers.java"),
        [(engine.to_string(), 0.5)]
    );
    assert!(of("org/acme/ui/Screen.java").is_empty());
    assert_eq!(l.len(), 3);
}

/// The unresolved examples name each distinct import once, at the first file writing it.
#[test]
fn unresolved_examples_show_each_missing_import_once() {
    let files = [
        ("a/one.js", "require('./gone');\nrequire('/app/missing');"),
        ("a/two.js", "require('./gone');"),
        ("b/three.js", "require('./gone');\nrequire('./also-gone');"),
    ];
    let paths: Vec<String> = files.iter().map(|(p, _)| p.to_string()).collect();
    let facts: Vec<(&str, super::Facts)> = files
        .iter()
        .filter_map(|(p, t)| read(p, t).map(|f| (*p, f)))
        .collect();
    let r = super::resolve::resolve(paths, facts.iter().map(|(p, f)| (*p, f)), &HashMap::new());
    assert_eq!(
        r.unresolved,
        [
            "a/one.js: ./gone",
            "a/one.js: /app/missing",
            "b/three.js: ./also-gone"
        ]
    );
}

proptest::proptest! {
    /// Any text, in any of the languages, reads without a panic (stray quotes, unclosed
    /// comments, multi-byte characters next to quotes and lifetimes).
    #[test]
    fn any_text_reads_without_panicking(text in "(?s)[a-z'\"`/*#@r{}();.:\\\\\n é€𝄞]{0,200}") {
        for ext in ["java", "kt", "scala", "py", "ts", "go", "rs", "cs"] {
            let _ = read(&format!("a/b.{ext}"), &text);
        }
    }
}
