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

#[test]
fn session_and_sign_in_settings_come_from_flags_variables_or_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("frontline.toml");
    std::fs::write(
        &file,
        "session_idle_minutes = 15\nsign_in_client_failures = 50\nsign_in_window_minutes = 120\n",
    )
    .unwrap();
    let defaults = ServeArgs::default().resolve().unwrap().app;
    assert_eq!(
        (
            defaults.session_idle_minutes,
            defaults.sign_in_username_failures,
            defaults.sign_in_client_failures,
            defaults.sign_in_base_delay_secs,
            defaults.sign_in_max_delay_minutes,
            defaults.sign_in_window_minutes
        ),
        (30, 5, 20, 30, 15, 60)
    );
    let Cmd::Serve(mut args) = Cli::try_parse_from([
        "frontline",
        "serve",
        "--session-idle-minutes",
        "10",
        "--sign-in-username-failures=3",
        "--sign-in-base-delay-secs=5",
        "--sign-in-max-delay-minutes=2",
    ])
    .unwrap()
    .cmd
    else {
        panic!("not serve")
    };
    args.config = Some(file.clone());
    let c = args.resolve().unwrap().app;
    // Flags win over the file; the file fills in the rest.
    assert_eq!(
        (
            c.session_idle_minutes,
            c.sign_in_username_failures,
            c.sign_in_client_failures,
            c.sign_in_base_delay_secs,
            c.sign_in_max_delay_minutes,
            c.sign_in_window_minutes
        ),
        (10, 3, 50, 5, 2, 120)
    );
    for bad in [
        vec!["frontline", "serve", "--session-idle-minutes=0"],
        vec!["frontline", "serve", "--sign-in-client-failures=-1"],
    ] {
        assert!(Cli::try_parse_from(&bad).is_err(), "{bad:?}");
    }
    for text in [
        "session_idle_minutes = 0\n",
        "sign_in_base_delay_secs = 600\nsign_in_max_delay_minutes = 5\n",
        "session_idle_minutes = 1000\n",
    ] {
        std::fs::write(&file, text).unwrap();
        let r = ServeArgs {
            config: Some(file.clone()),
            ..ServeArgs::default()
        }
        .resolve();
        assert!(r.is_err(), "{text}");
    }
}
