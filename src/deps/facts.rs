//! What a reader takes from one file: its language, the imports it writes (as written, not
//! yet resolved) and the names it declares (a JVM package, C# namespaces).

/// The languages whose imports are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Java,
    Kotlin,
    Scala,
    Python,
    Js,
    Go,
    Rust,
    CSharp,
}

impl Lang {
    /// The language of a path, from its extension.
    pub fn of(path: &str) -> Option<Lang> {
        let ext = path.rsplit_once('.')?.1;
        Some(match ext {
            "java" => Lang::Java,
            "kt" | "kts" => Lang::Kotlin,
            "scala" | "sc" => Lang::Scala,
            "py" | "pyi" => Lang::Python,
            "js" | "jsx" | "mjs" | "cjs" | "ts" | "tsx" | "mts" | "cts" => Lang::Js,
            "go" => Lang::Go,
            "rs" => Lang::Rust,
            "cs" => Lang::CSharp,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Java => "java",
            Lang::Kotlin => "kotlin",
            Lang::Scala => "scala",
            Lang::Python => "python",
            Lang::Js => "javascript",
            Lang::Go => "go",
            Lang::Rust => "rust",
            Lang::CSharp => "csharp",
        }
    }
}

/// One import as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spec {
    /// A dotted name: JVM `import a.b.C` (`wildcard` for `a.b.*`, `a.b._`; `member` for
    /// `import static` and Kotlin/Scala names that may be members), C# `using A.B`.
    Dotted {
        path: Vec<String>,
        wildcard: bool,
        member: bool,
    },
    /// Python: `level` leading dots (0: absolute), the module, and for `from … import`
    /// the names imported (each may be a submodule).
    Python {
        level: usize,
        module: Vec<String>,
        names: Vec<String>,
    },
    /// A string specifier: JS/TS `import … from 'x'`, `require('x')`; Go `import "x"`.
    Path(String),
    /// Rust `use a::b::c` (one leaf of a use tree; `extern crate a` is `["a"]`).
    Use(Vec<String>),
    /// Rust `mod a;` and its `#[path]`, when given.
    Mod { name: String, path: Option<String> },
}

/// What one file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub lang: Lang,
    pub imports: Vec<Spec>,
    /// The JVM package, or every C# namespace the file declares.
    pub declares: Vec<String>,
}

impl Facts {
    /// A file of `lang` with these imports and no declarations.
    pub fn imports(lang: Lang, imports: Vec<Spec>) -> Facts {
        Facts {
            lang,
            imports,
            declares: Vec::new(),
        }
    }
}
