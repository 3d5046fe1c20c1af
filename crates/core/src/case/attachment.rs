//! 案件附件: documents and photos of a case. A file is taken for what its first bytes say
//! it is (never for its name or the type the client claims), only of the kinds a case
//! file holds, up to [`MAX_BYTES`], and kept by its SHA-256.

use crate::error::FieldError;

/// Largest attachment accepted (a scanned record of several pages, a phone photo).
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// Longest file name kept.
pub const NAME_MAX: usize = 120;

/// The kinds of file a case holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Pdf,
    Jpeg,
    Png,
    Webp,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Pdf, Kind::Jpeg, Kind::Png, Kind::Webp];

    pub fn mime(self) -> &'static str {
        match self {
            Kind::Pdf => "application/pdf",
            Kind::Jpeg => "image/jpeg",
            Kind::Png => "image/png",
            Kind::Webp => "image/webp",
        }
    }

    pub fn from_mime(m: &str) -> Option<Kind> {
        let m = m.split(';').next().unwrap_or_default().trim();
        let m = if m.eq_ignore_ascii_case("image/jpg") {
            "image/jpeg"
        } else {
            m
        };
        Kind::ALL
            .into_iter()
            .find(|k| k.mime().eq_ignore_ascii_case(m))
    }

    /// What the bytes are, if one of the accepted kinds.
    pub fn detect(bytes: &[u8]) -> Option<Kind> {
        infer::get(bytes).and_then(|t| Kind::from_mime(t.mime_type()))
    }

    /// A photo (shown inline on the case page) rather than a document.
    pub fn is_image(self) -> bool {
        self != Kind::Pdf
    }
}

fn err(code: &'static str, zh: String, en: String) -> FieldError {
    FieldError::new("file", code, zh, en)
}

/// Checks an upload: not empty, not over the limit, one of the accepted kinds, and (when
/// the client names a type) the kind it claims.
pub fn check(bytes: &[u8], declared: Option<&str>) -> Result<Kind, FieldError> {
    if bytes.is_empty() {
        return Err(err(
            "attachment.empty",
            "请选择要上传的文件".into(),
            "Choose a file to upload".into(),
        ));
    }
    if bytes.len() > MAX_BYTES {
        return Err(err(
            "attachment.too_large",
            format!("文件不能超过 {} MB", MAX_BYTES / 1024 / 1024),
            format!("The file must be at most {} MB", MAX_BYTES / 1024 / 1024),
        ));
    }
    let Some(kind) = Kind::detect(bytes) else {
        return Err(err(
            "attachment.type_not_allowed",
            "只能上传 PDF 文档或 JPEG、PNG、WebP 图片".into(),
            "Only PDF documents and JPEG, PNG or WebP images can be attached".into(),
        ));
    };
    let generic = |m: &str| {
        let m = m.split(';').next().unwrap_or_default().trim();
        m.is_empty() || m.eq_ignore_ascii_case("application/octet-stream")
    };
    match declared {
        Some(m) if !generic(m) && Kind::from_mime(m) != Some(kind) => Err(err(
            "attachment.type_mismatch",
            format!("文件内容是 {}，与声明的类型 {m} 不符", kind.mime()),
            format!("The file is {}, not the {m} it claims to be", kind.mime()),
        )),
        _ => Ok(kind),
    }
}

/// A file name as kept: the last path segment, control characters dropped, trimmed, at
/// most [`NAME_MAX`] characters; empty becomes `附件`.
pub fn clean_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let s: String = last
        .chars()
        .filter(|c| !c.is_control())
        .take(NAME_MAX)
        .collect();
    let s = s.trim();
    if s.is_empty() || s == "." || s == ".." {
        "附件".into()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] =
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n";

    #[test]
    fn a_file_is_what_its_bytes_say() {
        assert_eq!(check(PNG, Some("image/png")), Ok(Kind::Png));
        assert_eq!(check(PDF, None), Ok(Kind::Pdf));
        assert_eq!(check(PDF, Some("application/octet-stream")), Ok(Kind::Pdf));
        assert_eq!(
            check(PDF, Some("image/png")).map_err(|e| e.code),
            Err("attachment.type_mismatch")
        );
        assert_eq!(
            check(b"MZ\x90\0\x03\0\0\0", Some("application/pdf")).map_err(|e| e.code),
            Err("attachment.type_not_allowed"),
            "an executable named .pdf is refused"
        );
        assert_eq!(
            check(b"<html><script>", None).map_err(|e| e.code),
            Err("attachment.type_not_allowed")
        );
        assert_eq!(
            check(b"", None).map_err(|e| e.code),
            Err("attachment.empty")
        );
        let big = vec![0u8; MAX_BYTES + 1];
        assert_eq!(
            check(&big, None).map_err(|e| e.code),
            Err("attachment.too_large")
        );
    }

    #[test]
    fn names_lose_their_paths_and_controls() {
        assert_eq!(clean_name("C:\\Users\\x\\询问笔录.pdf"), "询问笔录.pdf");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("a\u{0}b\nc.png"), "abc.png");
        assert_eq!(clean_name("  "), "附件");
        assert_eq!(clean_name(".."), "附件");
        assert_eq!(clean_name(&"长".repeat(300)).chars().count(), NAME_MAX);
    }
}
