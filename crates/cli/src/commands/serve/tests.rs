//! Where the serve settings come from.

use super::*;
use clap::Parser;

use crate::{Cli, Cmd};

#[test]
fn secure_cookies_come_from_the_flag_or_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("frontline.toml");
    std::fs::write(
        &file,
        "listen = \"127.0.0.1:9999\"\nsecure_cookies = true\n",
    )
    .unwrap();
    let from_file = ServeArgs {
        config: Some(file.clone()),
        ..ServeArgs::default()
    }
    .resolve()
    .unwrap();
    assert!(from_file.app.secure_cookies);
    assert_eq!(from_file.listen.port(), 9999);
    let plain = ServeArgs::default().resolve().unwrap();
    assert!(!plain.app.secure_cookies, "off unless asked for");
    assert_eq!(plain.listen.to_string(), DEFAULT_LISTEN);
    let flag = ServeArgs {
        secure_cookies: Some(true),
        ..ServeArgs::default()
    }
    .resolve()
    .unwrap();
    assert!(flag.app.secure_cookies);
    // A flag or variable saying false wins over the file saying true.
    let off = ServeArgs {
        secure_cookies: Some(false),
        config: Some(file.clone()),
        ..ServeArgs::default()
    }
    .resolve()
    .unwrap();
    assert!(!off.app.secure_cookies);
    for (args, want) in [
        (vec!["frontline", "serve", "--secure-cookies"], Some(true)),
        (
            vec!["frontline", "serve", "--secure-cookies=0"],
            Some(false),
        ),
        (
            vec!["frontline", "serve", "--secure-cookies=yes"],
            Some(true),
        ),
    ] {
        match Cli::try_parse_from(&args).unwrap().cmd {
            Cmd::Serve(a) => assert_eq!(a.secure_cookies, want, "{args:?}"),
            _ => panic!("not serve"),
        }
    }
    std::fs::write(&file, "secure_cookie = true\n").unwrap();
    let typo = ServeArgs {
        config: Some(file),
        ..ServeArgs::default()
    }
    .resolve();
    assert!(typo.is_err(), "an unknown key is refused, not ignored");
}
