//! The scenario and the files it reads, laid out for a ConfigMap: each file keeps its place
//! relative to the others (below their deepest common folder), so the scenario's relative
//! paths — `../data/users.csv` included — resolve in the pod as they do here.

use crate::K8sError;
use loadcell_scenario::FileRef;
use std::path::{Component, Path, PathBuf};

/// Where the ConfigMap is mounted in a part's container.
pub const MOUNT: &str = "/scenario";

/// The most a ConfigMap's files may hold in all: Kubernetes stores an object of at most
/// 1 MiB, and the object's own fields (names, labels, keys) need some of it.
pub const CONFIGMAP_LIMIT: usize = 1024 * 1024 - 16 * 1024;

/// A file to ship: its ConfigMap key, its path below [`MOUNT`] and its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipped {
    pub key: String,
    pub path: String,
    pub content: Content,
}

/// UTF-8 text goes in the ConfigMap's `data`; anything else, base64, in `binaryData`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    Text(String),
    Base64(String),
}

impl Content {
    fn len(&self) -> usize {
        match self {
            Content::Text(t) | Content::Base64(t) => t.len(),
        }
    }
}

/// The scenario file and every file it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    /// The scenario's path below [`MOUNT`].
    pub entry: String,
    /// The scenario first, then the files it reads in the order it names them (each once).
    pub files: Vec<Shipped>,
}

impl Bundle {
    /// Reads the scenario at `scenario` and the files it names (`refs`, from its model).
    pub fn of(scenario: &Path, refs: &[FileRef]) -> Result<Bundle, K8sError> {
        let label = scenario.display().to_string();
        let mut paths = vec![absolute(scenario)?];
        for r in refs {
            if Path::new(&r.written).is_absolute() {
                return Err(K8sError::AbsolutePath {
                    at: format!("{label}:{}:{}", r.at.line, r.at.col),
                    written: r.written.clone(),
                });
            }
            let path = absolute(&r.path)?;
            if !paths.contains(&path) {
                paths.push(path);
            }
        }
        let root = paths
            .iter()
            .filter_map(|p| p.parent())
            .fold(None::<PathBuf>, |common, dir| {
                Some(match common {
                    None => dir.to_path_buf(),
                    Some(c) => c
                        .ancestors()
                        .find(|a| dir.starts_with(a))
                        .unwrap_or(Path::new("/"))
                        .to_path_buf(),
                })
            })
            .unwrap_or_else(|| PathBuf::from("/"));
        let mut files = Vec::with_capacity(paths.len());
        let mut total = 0;
        for (i, path) in paths.iter().enumerate() {
            let rel = relative(path, &root)?;
            let bytes = std::fs::read(path).map_err(|e| K8sError::Read {
                path: path.display().to_string(),
                error: e.to_string(),
            })?;
            let content = match String::from_utf8(bytes) {
                Ok(text) => Content::Text(text),
                Err(e) => Content::Base64(base64(e.as_bytes())),
            };
            let key = key(i, path);
            total += key.len() + content.len();
            files.push(Shipped {
                key,
                path: rel,
                content,
            });
        }
        if total > CONFIGMAP_LIMIT {
            return Err(K8sError::TooBig {
                total,
                files: files.len(),
            });
        }
        let entry = files.first().map(|f| f.path.clone()).unwrap_or_default();
        Ok(Bundle { entry, files })
    }
}

/// `path` made absolute and with `.` and `..` taken away as the pod will (no symlinks there).
fn absolute(path: &Path) -> Result<PathBuf, K8sError> {
    let abs = std::path::absolute(path).map_err(|e| K8sError::Read {
        path: path.display().to_string(),
        error: e.to_string(),
    })?;
    let mut out = PathBuf::new();
    for part in abs.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    Ok(out)
}

/// `path` below `root`, with `/` between its parts (a ConfigMap item's `path`).
fn relative(path: &Path, root: &Path) -> Result<String, K8sError> {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Option<Vec<&str>> = rel
        .components()
        .map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect();
    match parts {
        Some(p) if !p.is_empty() => Ok(p.join("/")),
        _ => Err(K8sError::Read {
            path: path.display().to_string(),
            error: "the path is not UTF-8 text".into(),
        }),
    }
}

/// A ConfigMap key (`[-._a-zA-Z0-9]+`, at most 253): the file's place in the list (keys
/// stay unique when two folders hold the same name) and its name, other characters as `_`.
fn key(index: usize, path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    let clean: String = name
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '.' | '_' => c,
            _ => '_',
        })
        .take(200)
        .collect();
    format!("{index:02}-{clean}")
}

/// Standard base64 with padding (RFC 4648), as `binaryData` takes it.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_is_rfc_4648() {
        for (raw, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(raw.as_bytes()), enc);
        }
        assert_eq!(base64(&[0xff, 0xfe, 0x00]), "//4A");
    }

    #[test]
    fn keys_are_unique_and_in_the_configmap_alphabet() {
        assert_eq!(key(0, Path::new("/a/shop.yaml")), "00-shop.yaml");
        assert_eq!(key(3, Path::new("/a/user list (1).csv")), "03-user_list__1_.csv");
        assert_eq!(key(12, Path::new("/a/é.pem")), "12-_.pem");
    }

    #[test]
    fn files_keep_their_places_below_their_common_folder() {
        let dir = std::env::temp_dir().join(format!("loadcell-k8s-files-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("tests/shop")).unwrap_or_default();
        std::fs::create_dir_all(dir.join("data")).unwrap_or_default();
        let write = |p: &str, b: &[u8]| std::fs::write(dir.join(p), b).unwrap_or_default();
        write("tests/shop/shop.yaml", b"name: shop\n");
        write("data/users.csv", b"user\nann\n");
        write("tests/shop/blob.bin", &[0, 159, 146, 150]);
        let at = loadcell_scenario::SourcePos { line: 7, col: 12 };
        let file_ref = |written: &str| FileRef {
            written: written.to_string(),
            path: dir.join("tests/shop").join(written),
            at,
        };
        let refs = [
            file_ref("../../data/users.csv"),
            file_ref("./blob.bin"),
            file_ref("../../data/users.csv"),
        ];
        let bundle = Bundle::of(&dir.join("tests/shop/shop.yaml"), &refs).map_err(|e| e.to_string());
        let Ok(bundle) = bundle else {
            panic!("{bundle:?}");
        };
        assert_eq!(bundle.entry, "tests/shop/shop.yaml");
        let laid: Vec<(&str, &str)> = bundle.files.iter().map(|f| (f.key.as_str(), f.path.as_str())).collect();
        assert_eq!(
            laid,
            [
                ("00-shop.yaml", "tests/shop/shop.yaml"),
                ("01-users.csv", "data/users.csv"),
                ("02-blob.bin", "tests/shop/blob.bin")
            ]
        );
        assert_eq!(bundle.files[1].content, Content::Text("user\nann\n".into()));
        assert_eq!(bundle.files[2].content, Content::Base64("AJ+Slg==".into()));

        let absolute = FileRef {
            written: "/etc/hosts".into(),
            path: PathBuf::from("/etc/hosts"),
            at,
        };
        let e = Bundle::of(&dir.join("tests/shop/shop.yaml"), &[absolute]).map_err(|e| e.to_string());
        assert!(
            matches!(&e, Err(m) if m.contains("shop.yaml:7:12") && m.contains("/etc/hosts")),
            "{e:?}"
        );

        write("data/big.csv", &vec![b'x'; CONFIGMAP_LIMIT]);
        let e =
            Bundle::of(&dir.join("tests/shop/shop.yaml"), &[file_ref("../../data/big.csv")]).map_err(|e| e.to_string());
        assert!(matches!(&e, Err(m) if m.contains("1 MiB")), "{e:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
