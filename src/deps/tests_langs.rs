//! JavaScript/TypeScript, Go, Rust and C# on small repositories built here.

use super::tests::{ext, resolve_tree, to};
use super::Resolution;

const MAIN_TS: &str = r#"import { a } from './util';
import Widgets from "./widgets";
import log from '../shared/log.js';
import { b } from '@app/util';
import React from 'react';
import x from '@scope/pkg/deep/x';
import type { T } from './types';
export * from './util';
export { c } from './missing';
export const notAnImport = 1;
const data = require('./data.json');
const ui = await import('@acme/ui');
// import q from './q';
const s = "import y from 'z'";
const t = `
import w from './w';
`;
import fs from 'node:fs';
const abs = require('/shared/log');
"#;

#[test]
fn typescript_relative_paths_index_files_js_extensions_aliases_and_workspaces_resolve() {
    let tsconfig = r#"{
      // comments and trailing commas, as tsconfig allows
      "compilerOptions": { "baseUrl": ".", "paths": { "@app/*": ["src/app/*"], }, },
    }"#;
    let r = resolve_tree(&[
        ("tsconfig.json", tsconfig),
        ("src/app/main.ts", MAIN_TS),
        ("src/app/util.ts", ""),
        ("src/app/widgets/index.tsx", ""),
        ("src/app/types.d.ts", ""),
        ("src/app/data.json", "{}"),
        ("src/shared/log.ts", ""),
        (
            "packages/ui/package.json",
            r#"{"name": "@acme/ui", "main": "src/index.ts"}"#,
        ),
        ("packages/ui/src/index.ts", ""),
    ]);
    let util = "src/app/util.ts";
    assert_eq!(
        r["src/app/main.ts"],
        [
            to(&[util]),
            to(&["src/app/widgets/index.tsx"]),
            to(&["src/shared/log.ts"]),
            to(&[util]),
            ext("react"),
            ext("@scope/pkg"),
            to(&["src/app/types.d.ts"]),
            to(&[util]),
            Resolution::Unresolved,
            to(&["src/app/data.json"]),
            to(&["packages/ui/src/index.ts"]),
            ext("node:fs"),
            to(&["src/shared/log.ts"]),
        ]
    );
}

/// Titanium-style absolute requires: `/kit` is the repository's own package (its
/// `package.json` `name` and `main`), `/kit/widget` the one file ending so, `/kit/moment`
/// the `moment` nearest the requiring file (a build copies it there), and nothing when the
/// candidates are equally far.
#[test]
fn absolute_requires_resolve_to_the_own_package_a_unique_tail_or_the_nearest_file() {
    let app = "var k = require('/kit');\nvar w = require('/kit/widget');\nvar m = require('/kit/moment');\nvar n = require('/nothing/here');\n";
    let r = resolve_tree(&[
        ("package.json", r#"{"name": "kit", "main": "./Kit/kit"}"#),
        ("Kit/kit.js", ""),
        ("Kit/lib/kit/widget.js", ""),
        ("Kit/builtins/moment.js", ""),
        ("Kit/builtins/moment/lang/fr.js", "require('/kit/moment');"),
        ("docs/api/moment.js", ""),
        ("test/apps/one/controllers/index.js", app),
    ]);
    assert_eq!(
        r["Kit/builtins/moment/lang/fr.js"],
        [to(&["Kit/builtins/moment.js"])]
    );
    assert_eq!(
        r["test/apps/one/controllers/index.js"],
        [
            to(&["Kit/kit.js"]),
            to(&["Kit/lib/kit/widget.js"]),
            Resolution::Unresolved,
            Resolution::Unresolved,
        ]
    );
}

#[test]
fn go_imports_resolve_through_the_module_path_to_package_directories() {
    let main = r#"package main

import (
	"fmt"
	"github.com/acme/app/internal/store"
	util "github.com/acme/app/pkg/util"
	_ "github.com/lib/pq"
	"github.com/acme/app/internal/gone"
)

import "github.com/acme/app/pkg/util/v2"

var s = `
import "github.com/acme/app/fake"
`
"#;
    let r = resolve_tree(&[
        ("go.mod", "module github.com/acme/app\n\ngo 1.22\n"),
        ("cmd/app/main.go", main),
        ("internal/store/store.go", "package store"),
        ("internal/store/store_test.go", "package store"),
        ("pkg/util/util.go", "package util"),
        ("pkg/util/v2/util.go", "package util"),
    ]);
    assert_eq!(
        r["cmd/app/main.go"],
        [
            ext("fmt"),
            to(&["internal/store/store.go"]),
            to(&["pkg/util/util.go"]),
            ext("github.com/lib/pq"),
            Resolution::Unresolved,
            to(&["pkg/util/v2/util.go"]),
        ]
    );
}

#[test]
fn rust_mod_crate_super_self_child_modules_and_workspace_crates_resolve() {
    let lib = "pub mod domain;\nmod modules;\nuse crate::domain::Ticket;\nuse std::collections::HashMap;\nuse serde::Serialize;\n";
    let ticket = "use super::super::modules::{Cut, layout::Place};\nuse crate::{domain, modules::layout};\nuse Kind::*;\nfn f<'a>(x: &'a str) -> &'a str { let _ = r#\"use fake::X;\"#; x }\n";
    let r = resolve_tree(&[
        ("Cargo.toml", "[package]\nname = \"app-core\"\n"),
        ("src/lib.rs", lib),
        (
            "src/domain/mod.rs",
            "mod ticket;\npub use ticket::Ticket;\nuse super::modules::Cut;\n",
        ),
        ("src/domain/ticket.rs", ticket),
        (
            "src/modules.rs",
            "#[path = \"modules/place.rs\"]\nmod layout;\npub struct Cut;\n",
        ),
        ("src/modules/place.rs", "use super::Cut;\n"),
        ("src/main.rs", "use app_core::domain::Ticket;\n"),
        ("tests/api/main.rs", "mod helpers;\n"),
        (
            "tests/api/helpers.rs",
            "use app_core::modules;\nuse super::Other;\n",
        ),
    ]);
    let (domain, modules, ticket) = (
        "src/domain/mod.rs",
        "src/modules.rs",
        "src/domain/ticket.rs",
    );
    assert_eq!(
        r["src/lib.rs"],
        [
            to(&[domain]),
            to(&[modules]),
            to(&[domain]),
            ext("std"),
            ext("serde")
        ]
    );
    assert_eq!(
        r["src/domain/mod.rs"],
        [to(&[ticket]), to(&[ticket]), to(&[modules])]
    );
    assert_eq!(
        r[ticket],
        [
            to(&[modules]),
            to(&["src/modules/place.rs"]),
            to(&[domain]),
            to(&["src/modules/place.rs"])
        ]
    );
    assert_eq!(r[modules], [to(&["src/modules/place.rs"])]);
    assert_eq!(r["src/modules/place.rs"], [to(&[modules])]);
    assert_eq!(r["src/main.rs"], [to(&[domain])]);
    assert_eq!(r["tests/api/main.rs"], [to(&["tests/api/helpers.rs"])]);
    assert_eq!(
        r["tests/api/helpers.rs"],
        [to(&[modules]), to(&["tests/api/main.rs"])]
    );
}

#[test]
fn csharp_namespaces_resolve_to_the_files_declaring_them() {
    let engine = r#"using System;
using Acme.Util;
using static Acme.Util.Strings;
using U = Acme.Util;
global using Acme.Gone;
namespace Acme.Core {
    class Engine {
        void F() {
            using (var x = Open()) { }
            using var y = Open();
        }
    }
}
"#;
    let r = resolve_tree(&[
        ("src/Core/Engine.cs", engine),
        (
            "src/Util/Strings.cs",
            "namespace Acme.Util;\npublic static class Strings {}\n",
        ),
        (
            "src/Util/Numbers.cs",
            "namespace Acme {\n  namespace Util {\n    class Numbers {}\n  }\n}\n",
        ),
    ]);
    let util = to(&["src/Util/Numbers.cs", "src/Util/Strings.cs"]);
    assert_eq!(
        r["src/Core/Engine.cs"],
        [
            ext("System"),
            util.clone(),
            to(&["src/Util/Strings.cs"]),
            util,
            Resolution::Unresolved,
        ]
    );
}
