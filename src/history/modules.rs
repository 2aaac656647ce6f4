//! The file → module mapping: a parameter, so codeindex's module detector can replace the
//! default "directory at depth N".

/// Maps a repository-relative path to the module it belongs to.
pub trait ModuleMap: Send + Sync {
    fn module_of(&self, path: &str) -> String;
}

impl<F: Fn(&str) -> String + Send + Sync> ModuleMap for F {
    fn module_of(&self, path: &str) -> String {
        self(path)
    }
}

/// The default mapping: the directory at depth N (`src/auth/x.rs` → `src/auth` at depth 2),
/// a shallower file's own directory, and `.` for files at the root.
#[derive(Debug, Clone, Copy)]
pub struct DirDepth(pub usize);

impl ModuleMap for DirDepth {
    fn module_of(&self, path: &str) -> String {
        let dirs: Vec<&str> = path.split('/').collect();
        let dirs = &dirs[..dirs.len().saturating_sub(1)];
        if dirs.is_empty() || self.0 == 0 {
            return ".".to_string();
        }
        dirs[..dirs.len().min(self.0)].join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_depth_maps_files_to_modules() {
        let m = DirDepth(2);
        assert_eq!(m.module_of("src/auth/login/x.rs"), "src/auth");
        assert_eq!(m.module_of("src/main.rs"), "src");
        assert_eq!(m.module_of("README.md"), ".");
        assert_eq!(DirDepth(1).module_of("a/b/c"), "a");
    }

    #[test]
    fn a_closure_is_a_module_map() {
        let m = |p: &str| p.split('/').next().unwrap_or(".").to_string();
        assert_eq!(ModuleMap::module_of(&m, "web/app.js"), "web");
    }
}
