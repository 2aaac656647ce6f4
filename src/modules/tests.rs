//! One test per layout: the exact cut and the display names.

use super::*;
use std::collections::BTreeMap;

/// `file → (module id, module name)` for every source file of `tree`.
fn cut(tree: &[&str]) -> BTreeMap<String, (String, String)> {
    cut_with(tree, &ModuleRules::default())
}

fn cut_with(tree: &[&str], rules: &ModuleRules) -> BTreeMap<String, (String, String)> {
    let c = ModuleCut::build(tree.iter().copied(), rules);
    tree.iter()
        .filter(|p| is_source_path(p))
        .map(|p| {
            let m = c.module(p);
            (p.to_string(), (m.id.clone(), m.name.clone()))
        })
        .collect()
}

/// Asserts `(file prefix, module id, module name)` for every file starting with the prefix.
fn expect(got: &BTreeMap<String, (String, String)>, want: &[(&str, &str, &str)]) {
    for (file, (id, name)) in got {
        let (_, wid, wname) = want
            .iter()
            .filter(|(p, _, _)| file.starts_with(p))
            .max_by_key(|(p, _, _)| p.len())
            .unwrap_or_else(|| panic!("no expectation for {file}"));
        assert_eq!((id.as_str(), name.as_str()), (*wid, *wname), "{file}");
    }
}

#[test]
fn tomcat_packages_under_java_and_test_with_tests_in_the_package_they_test() {
    let tree = [
        "build.xml",
        "java/org/apache/catalina/Context.java",
        "java/org/apache/catalina/Host.java",
        "java/org/apache/catalina/Lifecycle.java",
        "java/org/apache/catalina/startup/HostConfig.java",
        "java/org/apache/catalina/startup/ContextConfig.java",
        "java/org/apache/catalina/startup/Catalina.java",
        "java/org/apache/catalina/core/StandardContext.java",
        "java/org/apache/catalina/core/StandardHost.java",
        "java/org/apache/catalina/core/StandardWrapper.java",
        "java/org/apache/coyote/Request.java",
        "java/org/apache/coyote/Response.java",
        "java/org/apache/coyote/Processor.java",
        "java/org/apache/tomcat/util/net/Endpoint.java",
        "java/org/apache/tomcat/util/net/Nio.java",
        "java/org/apache/tomcat/util/net/Apr.java",
        "java/org/apache/tomcat/util/net/tiny/One.java",
        "java/org/apache/tomcat/util/buf/ByteChunk.java",
        "java/org/apache/tomcat/util/buf/CharChunk.java",
        "java/org/apache/tomcat/util/buf/MessageBytes.java",
        "test/org/apache/catalina/startup/TestHostConfig.java",
        "test/org/apache/catalina/startup/TestContextConfig.java",
        "webapps/examples/WEB-INF/classes/HelloWorld.java",
        "webapps/examples/WEB-INF/classes/Cookie.java",
        "webapps/examples/WEB-INF/classes/Session.java",
        "webapps/docs/changelog.xml",
    ];
    let a = "java/org/apache";
    expect(
        &cut(&tree),
        &[
            (
                "java/org/apache/catalina/",
                &format!("{a}/catalina"),
                "catalina",
            ),
            (
                "java/org/apache/catalina/startup/",
                &format!("{a}/catalina/startup"),
                "catalina/startup",
            ),
            (
                "test/org/apache/catalina/startup/",
                &format!("{a}/catalina/startup"),
                "catalina/startup",
            ),
            (
                "java/org/apache/catalina/core/",
                &format!("{a}/catalina/core"),
                "catalina/core",
            ),
            ("java/org/apache/coyote/", &format!("{a}/coyote"), "coyote"),
            (
                "java/org/apache/tomcat/util/net/",
                &format!("{a}/tomcat/util/net"),
                "tomcat/util/net",
            ),
            (
                "java/org/apache/tomcat/util/buf/",
                &format!("{a}/tomcat/util/buf"),
                "tomcat/util/buf",
            ),
            (
                "webapps/",
                "webapps/examples/WEB-INF/classes",
                "webapps/examples/WEB-INF/classes",
            ),
        ],
    );
}

#[test]
fn maven_modules_with_packages_and_mirrored_tests() {
    let tree = [
        "pom.xml",
        "core/pom.xml",
        "core/src/main/java/com/acme/core/Engine.java",
        "core/src/main/java/com/acme/core/Config.java",
        "core/src/main/java/com/acme/core/io/Reader.java",
        "core/src/main/java/com/acme/core/io/Writer.java",
        "core/src/main/java/com/acme/core/io/Stream.java",
        "core/src/test/java/com/acme/core/EngineTest.java",
        "web/pom.xml",
        "web/src/main/java/com/acme/web/Server.java",
        "web/src/main/java/com/acme/web/Handler.java",
        "web/src/main/kotlin/com/acme/web/Router.kt",
    ];
    let core = "core/src/main/java/com/acme/core";
    expect(
        &cut(&tree),
        &[
            ("core/src/main/java/com/acme/core/", core, "core"),
            ("core/src/test/java/com/acme/core/", core, "core"),
            (
                "core/src/main/java/com/acme/core/io/",
                &format!("{core}/io"),
                "core/io",
            ),
            ("web/", "web", "web"),
        ],
    );
}

#[test]
fn python_src_layout_cuts_packages_and_subpackages() {
    let tree = [
        "pyproject.toml",
        "src/_pytest/__init__.py",
        "src/_pytest/main.py",
        "src/_pytest/runner.py",
        "src/_pytest/python.py",
        "src/_pytest/fixtures.py",
        "src/_pytest/assertion/__init__.py",
        "src/_pytest/assertion/rewrite.py",
        "src/_pytest/assertion/util.py",
        "src/_pytest/config/__init__.py",
        "src/_pytest/config/argparsing.py",
        "src/_pytest/config/findpaths.py",
        "src/_pytest/_io/__init__.py",
        "src/_pytest/_io/saferepr.py",
        "src/pytest/__init__.py",
        "src/pytest/__main__.py",
        "testing/test_main.py",
        "testing/test_runner.py",
        "testing/test_python.py",
        "testing/conftest.py",
        "testing/python/fixtures.py",
        "testing/python/collect.py",
        "testing/python/metafunc.py",
    ];
    expect(
        &cut(&tree),
        &[
            ("src/_pytest/", "src/_pytest", "_pytest"),
            // a two-file subpackage stays with its parent
            ("src/_pytest/_io/", "src/_pytest", "_pytest"),
            (
                "src/_pytest/assertion/",
                "src/_pytest/assertion",
                "_pytest/assertion",
            ),
            (
                "src/_pytest/config/",
                "src/_pytest/config",
                "_pytest/config",
            ),
            ("src/pytest/", "src", "src"),
            ("testing/", "testing", "testing"),
            ("testing/python/", "testing/python", "testing/python"),
        ],
    );
}

#[test]
fn python_flat_layout_cuts_packages_and_subpackages() {
    let tree = [
        "setup.py",
        "sympy/__init__.py",
        "sympy/core/basic.py",
        "sympy/core/expr.py",
        "sympy/core/add.py",
        "sympy/core/mul.py",
        "sympy/core/tests/test_basic.py",
        "sympy/core/tests/test_expr.py",
        "sympy/solvers/__init__.py",
        "sympy/solvers/solvers.py",
        "sympy/solvers/ode.py",
        "sympy/physics/__init__.py",
        "sympy/physics/mechanics/body.py",
        "sympy/physics/mechanics/joint.py",
        "sympy/physics/mechanics/kane.py",
        "sympy/physics/units/__init__.py",
        "sympy/physics/units/si.py",
        "sympy/physics/units/quantities.py",
        "doc/conf.py",
        "doc/ext/docscrape.py",
        "doc/ext/numpydoc.py",
    ];
    expect(
        &cut(&tree),
        &[
            ("setup.py", ".", "(root)"),
            ("doc/", "doc", "doc"),
            ("sympy/", "sympy", "sympy"),
            // tests beside the code they test stay with it
            ("sympy/core/", "sympy/core", "sympy/core"),
            ("sympy/solvers/", "sympy/solvers", "sympy/solvers"),
            ("sympy/physics/", "sympy/physics", "sympy/physics"),
            (
                "sympy/physics/mechanics/",
                "sympy/physics/mechanics",
                "sympy/physics/mechanics",
            ),
            (
                "sympy/physics/units/",
                "sympy/physics/units",
                "sympy/physics/units",
            ),
        ],
    );
}

#[test]
fn go_packages_are_directories() {
    let tree = [
        "go.mod",
        "cmd/server/main.go",
        "internal/db/db.go",
        "internal/db/conn.go",
        "internal/db/tx.go",
        "internal/http/handler.go",
        "internal/http/middleware.go",
        "internal/http/router.go",
        "pkg/api/types.go",
        "pkg/api/client.go",
    ];
    expect(
        &cut(&tree),
        &[
            ("cmd/", ".", "(root)"),
            ("pkg/", ".", "(root)"),
            ("internal/db/", "internal/db", "internal/db"),
            ("internal/http/", "internal/http", "internal/http"),
        ],
    );
}

#[test]
fn rust_crates_and_their_top_level_modules() {
    let tree = [
        "Cargo.toml",
        "crates/auth/Cargo.toml",
        "crates/auth/src/lib.rs",
        "crates/auth/src/token.rs",
        "crates/auth/src/session.rs",
        "crates/billing/Cargo.toml",
        "crates/billing/src/lib.rs",
        "src/main.rs",
        "src/cli.rs",
        "src/server/mod.rs",
        "src/server/routes.rs",
        "src/server/tls.rs",
    ];
    expect(
        &cut(&tree),
        &[
            ("crates/auth/", "crates/auth", "crates/auth"),
            // a crate is a module however small
            ("crates/billing/", "crates/billing", "crates/billing"),
            ("src/", "src", "src"),
            ("src/server/", "src/server", "server"),
        ],
    );
}

#[test]
fn js_workspace_packages_and_their_top_folders() {
    let tree = [
        "package.json",
        "packages/ui/package.json",
        "packages/ui/src/button.tsx",
        "packages/ui/src/input.tsx",
        "packages/ui/src/index.ts",
        "packages/api/package.json",
        "packages/api/src/client.ts",
        "packages/api/src/server.ts",
        "packages/api/src/routes/users.ts",
        "packages/api/src/routes/orders.ts",
        "packages/api/src/routes/index.ts",
        "scripts/build.js",
    ];
    expect(
        &cut(&tree),
        &[
            ("packages/ui/", "packages/ui", "packages/ui"),
            ("packages/api/", "packages/api/src", "packages/api"),
            (
                "packages/api/src/routes/",
                "packages/api/src/routes",
                "packages/api/routes",
            ),
            ("scripts/", ".", "(root)"),
        ],
    );
}

#[test]
fn dotnet_projects_are_modules() {
    let tree = [
        "Api/Api.csproj",
        "Api/Program.cs",
        "Api/Controllers/HomeController.cs",
        "Api/Controllers/UsersController.cs",
        "Core/Core.csproj",
        "Core/Models/User.cs",
        "Core/Models/Order.cs",
        "Core/Services/UserService.cs",
        "Tests/Tests.csproj",
        "Tests/UserTests.cs",
        "Tests/OrderTests.cs",
        "Tests/HomeTests.cs",
    ];
    expect(
        &cut(&tree),
        &[
            ("Api/", "Api", "Api"),
            ("Core/", "Core", "Core"),
            ("Tests/", "Tests", "Tests"),
        ],
    );
}

#[test]
fn other_trees_fall_back_to_directories_split_by_size() {
    let mut tree: Vec<String> = Vec::new();
    for d in ["lib/parse", "lib/eval", "lib/print"] {
        for i in 0..10 {
            tree.push(format!("{d}/f{i}.lua"));
        }
    }
    tree.push("lib/init.lua".into());
    tree.push("bin/run.sh".into());
    let refs: Vec<&str> = tree.iter().map(String::as_str).collect();
    let got = cut(&refs);
    expect(
        &got,
        &[
            ("lib/parse/", "lib/parse", "lib/parse"),
            ("lib/eval/", "lib/eval", "lib/eval"),
            ("lib/print/", "lib/print", "lib/print"),
            ("lib/init", "lib", "lib"),
            ("bin/", ".", "(root)"),
        ],
    );
    // no module holds more than 15% of the files unless it is a single directory
    let c = ModuleCut::build(refs.iter().copied(), &ModuleRules::default());
    assert!(
        c.modules().iter().all(|m| m.files <= 10),
        "{:?}",
        c.modules()
    );
}

#[test]
fn overrides_win_and_the_longest_glob_is_most_specific() {
    let rules = ModuleRules {
        overrides: vec![
            ("src/**".into(), "core".into()),
            ("src/auth/**".into(), "auth".into()),
        ],
        ..ModuleRules::default()
    };
    let tree = ["Cargo.toml", "src/auth/a.rs", "src/b.rs", "tools/t.rs"];
    let got = cut_with(&tree, &rules);
    assert_eq!(got["src/auth/a.rs"], ("auth".into(), "auth".into()));
    assert_eq!(got["src/b.rs"], ("core".into(), "core".into()));
    assert_eq!(got["tools/t.rs"].0, ".");
    let c = ModuleCut::build(tree.iter().copied(), &rules);
    assert_eq!(c.get("auth").map(|m| m.files), Some(1));
}

#[test]
fn deleted_and_unknown_paths_map_to_their_nearest_module() {
    let tree = [
        "sympy/core/a.py",
        "sympy/core/b.py",
        "sympy/core/c.py",
        "sympy/core/d.py",
        "other/x.py",
        "other/y.py",
        "other/z.py",
    ];
    let c = ModuleCut::build(tree.iter().copied(), &ModuleRules::default());
    assert_eq!(c.module_of("sympy/core/gone/old.py"), "sympy/core");
    assert_eq!(c.module_of("nowhere/n.py"), ".");
    assert_eq!(c.module_of("README.md"), ".");
}
