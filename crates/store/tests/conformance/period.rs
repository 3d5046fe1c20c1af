//! Holiday calendars.

use crate::common::*;

// ============================================================================
// Holiday calendars (migration 0003)
// ============================================================================

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendars_upsert_by_year_with_audit() {
    let (_db, store, org) = with_org().await;
    assert!(store.list_calendars().await.unwrap().is_empty());
    let at = now_ns();
    let row = CalendarRow {
        year: 2027,
        text: "year = 2027\nsource = \"测试\"\n".into(),
        uploaded_by: org.chief.id,
        uploaded_by_name: String::new(),
        uploaded_at: at,
    };
    let before = head(&store).await;
    let d = draft("calendar.upload", "calendar", "2027");
    store.upsert_calendar(row.clone(), d.clone()).await.unwrap();
    let h = assert_appended_one(&store, &before, &d).await;
    let rows = store.list_calendars().await.unwrap();
    assert_eq!(
        rows,
        vec![CalendarRow {
            uploaded_by_name: org.chief.display_name.clone(),
            uploaded_at: truncate_micros(at),
            ..row.clone()
        }]
    );

    // The same year again replaces it (one row per year); another year is added.
    let again = CalendarRow {
        text: "year = 2027\nsource = \"更正\"\n".into(),
        uploaded_by: org.desk01.id,
        ..row.clone()
    };
    store
        .upsert_calendar(again.clone(), d.clone())
        .await
        .unwrap();
    let h2 = assert_appended_one(&store, &h, &d).await;
    store
        .upsert_calendar(
            CalendarRow {
                year: 2025,
                ..row.clone()
            },
            d.clone(),
        )
        .await
        .unwrap();
    let rows = store.list_calendars().await.unwrap();
    assert_eq!(
        rows.iter().map(|r| r.year).collect::<Vec<_>>(),
        [2025, 2027],
        "ascending by year"
    );
    assert_eq!(rows[1].text, again.text);
    assert_eq!(rows[1].uploaded_by, org.desk01.id);

    // An uploader who is not an officer: refused, nothing written.
    let ghost = CalendarRow {
        year: 2028,
        uploaded_by: Uuid::now_v7(),
        ..row
    };
    let h3 = head(&store).await;
    assert_ne!(h3, h2);
    assert!(store.upsert_calendar(ghost, d).await.is_err());
    assert_eq!(store.list_calendars().await.unwrap().len(), 2);
    assert_eq!(head(&store).await, h3);
}
