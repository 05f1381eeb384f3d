//! The `sign` subcommand, run as a real process, prints the ECS public vector exactly.

use std::process::Command;

fn cen_conformance(args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_cen-conformance"))
        .args(args)
        .env_remove("ALIBABA_CLOUD_ACCESS_KEY_ID")
        .env_remove("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
        .output()
        .expect("the binary runs");
    (
        output.status.success(),
        String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    )
}

#[test]
fn sign_prints_the_ecs_public_vector() {
    let (ok, stdout, stderr) = cen_conformance(&[
        "sign",
        "--method",
        "GET",
        "--secret",
        "testsecret",
        "--access-key-id",
        "testid",
        "Action=DescribeRegions",
        "Format=XML",
        "SignatureMethod=HMAC-SHA1",
        "SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "SignatureVersion=1.0",
        "Timestamp=2016-02-23T12:46:24Z",
        "Version=2014-05-26",
    ]);
    assert!(ok, "{stderr}");
    // The signature and string to sign are Alibaba's documented ones (PROTOCOL.md).
    assert!(
        stdout.contains("\nOLeaidS1JvxuMvnyHOwuJ+uX5qY=\n"),
        "{stdout}"
    );
    assert!(stdout.contains(
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26\n"
    ));
    insta::assert_snapshot!(stdout);
}

#[test]
fn sign_prints_the_v3_public_vector() {
    let (ok, stdout, stderr) = cen_conformance(&[
        "sign",
        "--algorithm",
        "v3",
        "--method",
        "POST",
        "--secret",
        "YourAccessKeySecret",
        "--access-key-id",
        "YourAccessKeyId",
        "--header",
        "host:ecs.cn-shanghai.aliyuncs.com",
        "--header",
        "x-acs-action:RunInstances",
        "--header",
        "x-acs-version:2014-05-26",
        "--header",
        "x-acs-date:2023-10-26T10:22:32Z",
        "--header",
        "x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d",
        "--header",
        "x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
        "RegionId=cn-shanghai",
    ]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains(
        "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259\n"
    ));
    assert!(
        stdout.contains("\n06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0\n")
    );
    insta::assert_snapshot!(stdout);
}

#[test]
fn sign_rejects_a_parameter_without_equals() {
    let (ok, _, stderr) = cen_conformance(&["sign", "--method", "GET", "--secret", "s", "Action"]);
    assert!(!ok);
    assert!(
        stderr.contains("parameter \"Action\" is not name=value"),
        "{stderr}"
    );
}
