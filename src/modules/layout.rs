//! Where a file sits in the tree the cut is made over. Most files sit where they are; a file
//! under a JVM source root sits in its package under its project, so `java/org/a/B.java`
//! and `test/org/a/TestB.java` (Tomcat), or `src/main/java/org/a/B.java` and
//! `src/test/java/org/a/BTest.java` (Maven, Gradle, sbt), meet in one package node.

/// The segment standing for "the JVM packages of this project" in the logical tree; it
/// cannot clash with a real directory name.
pub const JVM: &str = "\u{1}jvm";

/// Language folders of Maven/Gradle/sbt source sets: `src/<set>/<lang>`.
const JVM_LANGS: &[&str] = &["java", "kotlin", "scala", "groovy"];
/// Bare source roots that hold packages directly (Tomcat's `java/` and `test/`, Ant's `src/`).
const BARE_ROOTS: &[&str] = &["java", "src", "test", "tests", "main", "kotlin", "scala"];
/// First segments of reverse-domain package names.
pub const PACKAGE_TLDS: &[&str] = &[
    "org", "com", "net", "io", "edu", "gov", "de", "fr", "ch", "uk", "nl", "be", "at", "se", "no",
    "fi", "dk", "pl", "it", "es", "ru", "cn", "jp", "br", "au", "ca", "in", "me", "dev", "app",
    "info", "eu", "us",
];
/// Top-level package names that are not domains but still mark a package root.
const PACKAGE_ROOTS: &[&str] = &["javax", "jakarta", "sun", "android", "androidx"];

/// A file's place in the logical tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed<'a> {
    /// The file's directories in the logical tree (the file name is not included).
    pub dirs: Vec<&'a str>,
    /// For each logical depth `0..=dirs.len()`, how many leading physical segments the
    /// directory at that depth is: the physical directory of `dirs[..d]`.
    pub physical_len: Vec<usize>,
    /// True when the file is under a test source root.
    pub test: bool,
}

/// Places a repository-relative path.
pub fn place(path: &str) -> Placed<'_> {
    let segs: Vec<&str> = path.split('/').collect();
    let dirs = &segs[..segs.len().saturating_sub(1)];
    if let Some((project, root_end, test)) = jvm_root(dirs) {
        let mut logical: Vec<&str> = dirs[..project].to_vec();
        logical.push(JVM);
        logical.extend_from_slice(&dirs[root_end..]);
        let mut physical_len: Vec<usize> = (0..=project).collect();
        physical_len.extend(root_end..=dirs.len());
        return Placed {
            dirs: logical,
            physical_len,
            test,
        };
    }
    Placed {
        dirs: dirs.to_vec(),
        physical_len: (0..=dirs.len()).collect(),
        test: dirs
            .iter()
            .any(|d| matches!(*d, "test" | "tests" | "testing")),
    }
}

/// `(project segments, end of the source root, is a test root)` for a JVM source root.
fn jvm_root(dirs: &[&str]) -> Option<(usize, usize, bool)> {
    for i in 0..dirs.len() {
        if dirs[i] == "src" && i + 2 < dirs.len() && JVM_LANGS.contains(&dirs[i + 2]) {
            return Some((i, i + 3, dirs[i + 1].contains("test")));
        }
        if BARE_ROOTS.contains(&dirs[i])
            && i + 1 < dirs.len()
            && (PACKAGE_TLDS.contains(&dirs[i + 1]) || PACKAGE_ROOTS.contains(&dirs[i + 1]))
        {
            return Some((i, i + 1, dirs[i].starts_with("test")));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tomcat_and_maven_roots_meet_in_one_package() {
        let main = place("java/org/apache/catalina/startup/HostConfig.java");
        let test = place("test/org/apache/catalina/startup/TestHostConfig.java");
        assert_eq!(main.dirs, test.dirs);
        assert_eq!(main.dirs, [JVM, "org", "apache", "catalina", "startup"]);
        assert!(!main.test && test.test);
        // the package directory's physical path is the main source's directory
        assert_eq!(main.physical_len, [0, 1, 2, 3, 4, 5]);
        let m = place("weaver/src/main/java/org/W.java");
        let t = place("weaver/src/test/java/org/WTest.java");
        assert_eq!(m.dirs, t.dirs);
        assert_eq!(m.dirs, ["weaver", JVM, "org"]);
        assert_eq!(m.physical_len, [0, 1, 4, 5]);
    }

    #[test]
    fn other_files_stay_where_they_are() {
        let p = place("src/_pytest/assertion/rewrite.py");
        assert_eq!(p.dirs, ["src", "_pytest", "assertion"]);
        assert_eq!(p.physical_len, [0, 1, 2, 3]);
        assert_eq!(place("main.go").dirs, Vec::<&str>::new());
        assert!(place("testing/test_x.py").test);
    }
}
