use super::session::urlencode;

#[test]
fn query_values_keep_unreserved_characters_and_slashes() {
    assert_eq!(urlencode("/incidents/new"), "/incidents/new");
    assert_eq!(urlencode("a-b_c.d~e"), "a-b_c.d~e");
    assert_eq!(
        urlencode("/incidents?page=2&q=王 x"),
        "/incidents%3Fpage%3D2%26q%3D%E7%8E%8B%20x"
    );
    assert_eq!(urlencode(""), "");
}
