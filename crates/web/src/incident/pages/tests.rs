use frontline_core::FieldError;

use super::*;

#[test]
fn form_errors_link_to_their_controls() {
    let errs = vec![
        FieldError::new(
            "caller.id_number",
            "id_number.check_digit",
            "身份证号校验位错误",
            "Wrong check digit",
        ),
        FieldError::required("address"),
        FieldError::new("", "body", "整体错误", "Whole form"),
    ];
    let f = FormErrors::new(&errs, Lang::Zh, &intake_labels(Lang::Zh));
    assert_eq!(f.get("caller_id_number"), Some("身份证号校验位错误"));
    assert!(f.has("address"));
    assert!(!f.has("narrative"));
    assert_eq!(
        f.summary[0],
        (
            "caller_id_number".to_string(),
            "身份证号：身份证号校验位错误".to_string()
        )
    );
    assert_eq!(f.summary[2], (String::new(), "整体错误".to_string()));
    let en = FormErrors::new(&errs, Lang::En, &intake_labels(Lang::En));
    assert_eq!(en.summary[0].1, "Citizen ID number: Wrong check digit");
}

#[test]
fn paging_links_keep_the_filters() {
    let f = ListForm {
        from: Some("2026-11-01".into()),
        to: Some(" ".into()),
        category: Some("criminal".into()),
        unit_id: None,
        page: Some("3".into()),
        per_page: Some("50".into()),
        export: None,
        sort: None,
        status: Some("open".into()),
        q: Some("电瓶".into()),
    };
    assert_eq!(
        f.href(2),
        "/incidents?from=2026-11-01&category=criminal&per_page=50&status=open&q=%E7%94%B5%E7%93%B6&page=2"
    );
    assert_eq!(
        f.export_href(),
        "/incidents?from=2026-11-01&category=criminal&per_page=50&status=open&q=%E7%94%B5%E7%93%B6&export=csv"
    );
    assert_eq!(ListForm::default().export_href(), "/incidents?export=csv");
    assert_eq!(
        f.sort_toggle_href(),
        "/incidents?from=2026-11-01&category=criminal&per_page=50&sort=reported_at&status=open&q=%E7%94%B5%E7%93%B6"
    );
    let oldest = ListForm {
        sort: Some("reported_at".into()),
        ..f.clone()
    };
    assert_eq!(
        oldest.href(2),
        "/incidents?from=2026-11-01&category=criminal&per_page=50&sort=reported_at&status=open&q=%E7%94%B5%E7%93%B6&page=2"
    );
    assert_eq!(
        oldest.sort_toggle_href(),
        "/incidents?from=2026-11-01&category=criminal&per_page=50&status=open&q=%E7%94%B5%E7%93%B6"
    );
    assert_eq!(
        f.href(1),
        "/incidents?from=2026-11-01&category=criminal&per_page=50&status=open&q=%E7%94%B5%E7%93%B6"
    );
    assert_eq!(ListForm::default().href(1), "/incidents");
}
