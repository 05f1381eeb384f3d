//! CEN instances: CreateCen, DescribeCens, ModifyCenAttribute, DeleteCen.

use acs_rpc::error::ApiError;

use crate::api::cbn as t;
use crate::emulator::{Caller, Emulator, minutes, new_id};
use crate::state::{Cen, Lifecycle, Resource, Tag};
use crate::validate::{self, INVALID_TAG, Page};

/// The resource group the emulator reports for every resource of an account: Alibaba puts
/// resources created without one in the account's default group (`rg-acfm` and 11 characters).
pub(crate) fn default_resource_group(uid: i64) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut n = uid.unsigned_abs();
    let mut out = Vec::new();
    while n > 0 {
        out.push(DIGITS[usize::try_from(n % 36).unwrap_or(0)]);
        n /= 36;
    }
    while out.len() < 11 {
        out.push(b'a');
    }
    out.truncate(11);
    out.reverse();
    format!("rg-acfm{}", String::from_utf8_lossy(&out))
}

/// The resource group of a resource: the one it was given or moved to, else the account's
/// default group.
pub(crate) fn group_of(uid: i64, stored: Option<&String>) -> String {
    stored
        .cloned()
        .unwrap_or_else(|| default_resource_group(uid))
}

/// Whether a value is shaped as a resource group id: `rg-` and lower-case letters and digits.
pub(crate) fn is_resource_group_id(value: &str) -> bool {
    value.strip_prefix("rg-").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// The tags of a resource in the list shape of the responses.
pub(crate) fn tag_pairs(tags: &[Tag]) -> impl Iterator<Item = (String, String)> + '_ {
    tags.iter().map(|t| (t.key.clone(), t.value.clone()))
}

impl Emulator {
    /// CreateCen: creates a CEN instance owned by the caller and returns its id at once.
    ///
    /// The instance is `Creating` for the configured delay, then `Active`; until then only
    /// queries succeed on it. Name and Description may be empty or up to 128 / 256 characters
    /// and must not start with `http://` or `https://` (`InvalidParameter`); up to 20 tags whose
    /// keys are non-empty, at most 64 characters, without the `aliyun` / `acs:` prefixes or a URL
    /// (`InvalidTagKey`), values at most 128 characters with the same rules (`InvalidTagValue`),
    /// keys unique (`DuplicatedParam.TagKey`). ProtectionLevel is `REDUCED` (the default).
    /// A ClientToken makes the call idempotent: the same token with the same parameters answers
    /// the same CenId without creating anything; with other parameters it is
    /// `IdempotenceParam.NotMatch`.
    pub fn create_cen(
        &self,
        caller: &Caller,
        request: t::CreateCenRequest,
    ) -> Result<t::CreateCenResponse, ApiError> {
        validate::name(request.name.as_deref())?;
        validate::description(request.description.as_deref())?;
        let tags = validate::tags_to_set(
            request.tag.iter().map(|t| (t.key.clone(), t.value.clone())),
            INVALID_TAG,
        )?;
        let protection_level = request
            .protection_level
            .as_ref()
            .map_or_else(|| "REDUCED".to_owned(), |p| p.to_string());
        let cen_id: String = self.write_idempotent(
            caller,
            "CreateCen",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let id = new_id("cen-");
                state.cens.insert(Cen {
                    id: id.clone(),
                    owner: caller.uid,
                    name: request.name.clone(),
                    description: request.description.clone(),
                    protection_level,
                    life: Lifecycle::started(ctx.now),
                    resource_group: None,
                    tags,
                });
                Ok(id)
            },
        )?;
        Ok(t::CreateCenResponse {
            cen_id: Some(cen_id),
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DescribeCens: lists the caller's CEN instances in creation order, paged (PageNumber from
    /// 1, PageSize 1 to 50, default 10; `InvalidParameter` otherwise).
    ///
    /// `Filter.N` (at most 5, each with at most 5 values) is AND between keys and OR between the
    /// values of one key; the keys are `CenId`, `Name`, `Status` and the 2019
    /// `CenBandwidthPackageId`; another key is `InvalidParameter`. `Tag.N` (at most 20) keeps the
    /// instances carrying every given key (with the given value, when one is given); a bad key is
    /// `InvalidTagKey`, a bad value `InvalidTagValue`. `ResourceGroupId` matches the account's
    /// default group. Instances being deleted are listed as `Deleting` until the delay passes.
    pub fn describe_cens(
        &self,
        caller: &Caller,
        request: t::DescribeCensRequest,
    ) -> Result<t::DescribeCensResponse, ApiError> {
        let page = Page::new(request.page_number, request.page_size, 50)?;
        let tag_filters = validate::tag_filters(
            request.tag.iter().map(|t| (t.key.clone(), t.value.clone())),
            INVALID_TAG,
        )?;
        let filters = validate::filters(
            request.filter.iter().map(|f| (f.key.as_deref(), &f.value)),
            &["CenId", "Name", "Status", "CenBandwidthPackageId"],
        )?;
        let wanted_group = request.resource_group_id.clone().filter(|g| !g.is_empty());
        let (cen, total) = self.read(|state, ctx| {
            let keep = |c: &Cen| {
                let packages = || ctx.packages_of(state, &c.id).map(|p| p.id.as_str());
                filters.iter().all(|(key, values)| {
                    values.is_empty()
                        || values.iter().any(|v| match *key {
                            "CenId" => c.id == *v,
                            "Name" => c.name.as_deref() == Some(v.as_str()),
                            "Status" => ctx.status(c) == v,
                            _ => packages().any(|p| p == v),
                        })
                }) && validate::tags_match(&c.tags, &tag_filters)
                    && wanted_group
                        .as_ref()
                        .is_none_or(|g| group_of(caller.uid, c.resource_group.as_ref()) == *g)
            };
            let filtered = !filters.is_empty() || !tag_filters.is_empty() || wanted_group.is_some();
            // A CenId filter (what waiters and the Terraform provider poll) names the candidates:
            // look them up instead of walking the caller's instances.
            let named: Option<Vec<&Cen>> = filters
                .iter()
                .find(|(key, values)| *key == "CenId" && !values.is_empty())
                .map(|(_, ids)| ctx.by_ids(&state.cens, caller.uid, ids.iter()));
            let (matched, total) = match named {
                Some(candidates) => {
                    page.slice(candidates.into_iter().filter(|c| keep(c)).collect())
                }
                None => ctx.owned_page(
                    state,
                    &state.cens,
                    caller.uid,
                    page,
                    filtered.then_some(&keep as &dyn Fn(&Cen) -> bool),
                ),
            };
            // Only the page is built into response items.
            let items = matched
                .into_iter()
                .map(|c| t::Cen {
                    cen_bandwidth_package_ids: Some(t::CenCenBandwidthPackageIds {
                        cen_bandwidth_package_id: ctx
                            .packages_of(state, &c.id)
                            .map(|p| p.id.clone())
                            .collect(),
                    }),
                    cen_id: Some(c.id.clone()),
                    creation_time: Some(minutes(c.life.created_at)),
                    description: c.description.clone(),
                    ipv6_level: Some("DISABLED".into()),
                    name: c.name.clone(),
                    protection_level: Some(c.protection_level.clone()),
                    resource_group_id: Some(group_of(caller.uid, c.resource_group.as_ref())),
                    status: Some(ctx.status(c).into()),
                    tags: Some(t::CenTags {
                        tag: tag_pairs(&c.tags)
                            .map(|(key, value)| t::Tag {
                                key: Some(key),
                                value: Some(value),
                            })
                            .collect(),
                    }),
                })
                .collect::<Vec<_>>();
            (items, total)
        });
        Ok(t::DescribeCensResponse {
            cens: Some(t::DescribeCensResponseCens { cen }),
            page_number: Some(page.number),
            page_size: Some(page.size),
            request_id: Some(caller.request_id.clone()),
            total_count: Some(total),
        })
    }

    /// ModifyCenAttribute: changes the name, description or protection level of an `Active` CEN
    /// instance, which is then `Modifying` for the delay.
    ///
    /// Unknown instance: `ParameterCenInstanceId`; not Active: `InvalidOperation.CenInstanceStatus`;
    /// the text rules are those of CreateCen (`InvalidParameter`). An absent parameter keeps the
    /// current value; an empty one clears it.
    pub fn modify_cen_attribute(
        &self,
        caller: &Caller,
        request: t::ModifyCenAttributeRequest,
    ) -> Result<t::ModifyCenAttributeResponse, ApiError> {
        validate::name(request.name.as_deref())?;
        validate::description(request.description.as_deref())?;
        self.write(|state, ctx| {
            ctx.active_cen(state, caller, &request.cen_id)?;
            let mut cen = ctx.cen_mut(state, caller, &request.cen_id)?;
            validate::overwrite(&mut cen.name, &request.name);
            validate::overwrite(&mut cen.description, &request.description);
            if let Some(level) = request.protection_level {
                cen.protection_level = level.to_string();
            }
            cen.life.modified_at = Some(ctx.now);
            Ok(())
        })?;
        Ok(t::ModifyCenAttributeResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// DeleteCen: starts deleting an `Active` CEN instance; it is `Deleting` for the delay and
    /// then gone (`ParameterCenInstanceId` from then on).
    ///
    /// Unknown: `ParameterCenInstanceId`; not Active (Creating, Modifying, already Deleting):
    /// `InvalidOperation.CenInstanceStatus`; a custom transit-router route table left:
    /// `OperationFailed.DeleteCenWithCustomRouteTable`. Emulator rules, since no current page
    /// documents these cases: network instances still attached (or detaching) refuse with
    /// `InvalidOperation.AttachedChildInstanceExist` (409, 2019 chapter 6); an associated
    /// bandwidth plan refuses with `InvalidOperation.BwpInstanceStatus` (400); transit routers
    /// without attachments or custom route tables are deleted with the instance.
    pub fn delete_cen(
        &self,
        caller: &Caller,
        request: t::DeleteCenRequest,
    ) -> Result<t::DeleteCenResponse, ApiError> {
        self.write(|state, ctx| {
            let cen = ctx.active_cen(state, caller, &request.cen_id)?;
            if let Some(error) = ctx.blocker(state, cen, false) {
                return Err(error);
            }
            ctx.cen_mut(state, caller, &request.cen_id)?
                .life
                .deleting_at = Some(ctx.now);
            state.delete_dependents(Cen::KIND, &request.cen_id, ctx.now);
            Ok(())
        })?;
        Ok(t::DeleteCenResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{A, B, Harness, req};
    use serde_json::json;

    #[test]
    fn resource_groups_look_real() {
        let g = default_resource_group(1_234_567_890_123_456);
        assert!(g.starts_with("rg-acfm"));
        assert_eq!(g.len(), 18);
        assert_ne!(g, default_resource_group(2));
    }

    #[test]
    fn create_then_active_after_the_delay() {
        let h = Harness::new();
        let id = h.create_cen(A, json!({"Name": "net", "Description": "d"}));
        assert!(id.starts_with("cen-") && id.len() == 22);
        let cens = h.describe_cens(A, json!({}));
        assert_eq!(cens.len(), 1);
        assert_eq!(cens[0].status.as_deref(), Some("Creating"));
        assert_eq!(cens[0].name.as_deref(), Some("net"));
        assert_eq!(cens[0].protection_level.as_deref(), Some("REDUCED"));
        h.advance();
        assert_eq!(
            h.describe_cens(A, json!({}))[0].status.as_deref(),
            Some("Active")
        );
        // Another account sees nothing.
        assert!(h.describe_cens(B, json!({})).is_empty());
    }

    #[test]
    fn create_validation() {
        let h = Harness::new();
        let cases = [
            (json!({"Name": "http://x"}), "InvalidParameter"),
            (json!({"Name": "n".repeat(129)}), "InvalidParameter"),
            (json!({"Description": "https://x"}), "InvalidParameter"),
            (json!({"Description": "d".repeat(257)}), "InvalidParameter"),
            (
                json!({"Tag": [{"Key": "aliyun-k", "Value": "v"}]}),
                "InvalidTagKey",
            ),
            (json!({"Tag": [{"Key": "", "Value": "v"}]}), "InvalidTagKey"),
            (
                json!({"Tag": [{"Key": "k", "Value": "acs:v"}]}),
                "InvalidTagValue",
            ),
            (
                json!({"Tag": [{"Key": "k"}, {"Key": "k"}]}),
                "DuplicatedParam.TagKey",
            ),
            (json!({"ClientToken": "x".repeat(65)}), "InvalidParameter"),
        ];
        for (body, code) in cases {
            let err = h
                .emulator
                .create_cen(&h.caller(A), req(body.clone()))
                .unwrap_err();
            assert_eq!(err.code, code, "{body}");
        }
        let many: Vec<_> = (0..21).map(|i| json!({"Key": format!("k{i}")})).collect();
        let err = h
            .emulator
            .create_cen(&h.caller(A), req(json!({ "Tag": many })))
            .unwrap_err();
        assert_eq!(err.code, "InvalidParameter");
        assert!(h.describe_cens(A, json!({})).is_empty());
    }

    #[test]
    fn client_token_is_idempotent() {
        let h = Harness::new();
        let first = h.create_cen(A, json!({"ClientToken": "t1", "Name": "a"}));
        let again = h.create_cen(A, json!({"ClientToken": "t1", "Name": "a"}));
        assert_eq!(first, again);
        assert_eq!(h.describe_cens(A, json!({})).len(), 1);
        let err = h
            .emulator
            .create_cen(&h.caller(A), req(json!({"ClientToken": "t1", "Name": "b"})))
            .unwrap_err();
        assert_eq!(
            (err.status, err.code.as_str()),
            (400, "IdempotenceParam.NotMatch")
        );
        // Tokens are per account.
        let other = h.create_cen(B, json!({"ClientToken": "t1", "Name": "b"}));
        assert_ne!(other, first);
    }

    #[test]
    fn describe_filters_tags_and_pages() {
        let h = Harness::new();
        let ids: Vec<String> = (0..12)
            .map(|i| {
                h.create_cen(
                    A,
                    json!({"Name": format!("n{}", i % 3), "Tag": [{"Key": "env", "Value": if i % 2 == 0 { "prod" } else { "dev" }}]}),
                )
            })
            .collect();
        let all = h
            .emulator
            .describe_cens(&h.caller(A), req(json!({})))
            .unwrap();
        assert_eq!(all.total_count, Some(12));
        assert_eq!(all.cens.unwrap().cen.len(), 10);
        let page2 = h
            .emulator
            .describe_cens(&h.caller(A), req(json!({"PageNumber": 2, "PageSize": 5})))
            .unwrap();
        let page2_ids: Vec<_> = page2
            .cens
            .unwrap()
            .cen
            .into_iter()
            .map(|c| c.cen_id.unwrap())
            .collect();
        assert_eq!(page2_ids, ids[5..10]);

        let by_id = h.describe_cens(
            A,
            json!({"Filter": [{"Key": "CenId", "Value": [ids[3], ids[4]]}]}),
        );
        assert_eq!(by_id.len(), 2);
        let by_name_and_tag = h.describe_cens(
            A,
            json!({"Filter": [{"Key": "Name", "Value": ["n0"]}], "Tag": [{"Key": "env", "Value": "prod"}]}),
        );
        // i in {0, 3, 6, 9} have name n0; of those 0 and 6 are prod.
        assert_eq!(by_name_and_tag.len(), 2);
        let by_key_only = h.describe_cens(A, json!({"Tag": [{"Key": "env"}]}));
        assert_eq!(by_key_only.len(), 12);
        let by_status = h.describe_cens(
            A,
            json!({"Filter": [{"Key": "Status", "Value": ["Active"]}]}),
        );
        assert!(by_status.is_empty());

        for (body, code) in [
            (json!({"PageSize": 51}), "InvalidParameter"),
            (json!({"PageNumber": 0}), "InvalidParameter"),
            (
                json!({"Filter": [{"Key": "Nope", "Value": ["x"]}]}),
                "InvalidParameter",
            ),
            (json!({"Tag": [{"Key": "acs:x"}]}), "InvalidTagKey"),
            (
                json!({"Tag": [{"Key": "k", "Value": "aliyunx"}]}),
                "InvalidTagValue",
            ),
        ] {
            let err = h
                .emulator
                .describe_cens(&h.caller(A), req(body.clone()))
                .unwrap_err();
            assert_eq!(err.code, code, "{body}");
        }
        let other_group = h.describe_cens(A, json!({"ResourceGroupId": "rg-other"}));
        assert!(other_group.is_empty());
        let own_group = h.describe_cens(A, json!({"ResourceGroupId": default_resource_group(A)}));
        assert_eq!(own_group.len(), 12);
    }

    #[test]
    fn modify_needs_an_active_instance() {
        let h = Harness::new();
        let id = h.create_cen(A, json!({"Name": "a"}));
        let err = h
            .emulator
            .modify_cen_attribute(&h.caller(A), req(json!({"CenId": id, "Name": "b"})))
            .unwrap_err();
        assert_eq!(
            (err.status, err.code.as_str()),
            (409, "InvalidOperation.CenInstanceStatus")
        );
        h.advance();
        h.emulator
            .modify_cen_attribute(
                &h.caller(A),
                req(json!({"CenId": id, "Name": "b", "Description": ""})),
            )
            .unwrap();
        let cen = &h.describe_cens(A, json!({}))[0];
        assert_eq!(cen.name.as_deref(), Some("b"));
        assert_eq!(cen.description.as_deref(), Some(""));
        assert_eq!(cen.status.as_deref(), Some("Modifying"));
        h.advance();
        assert_eq!(
            h.describe_cens(A, json!({}))[0].status.as_deref(),
            Some("Active")
        );
        for (body, code) in [
            (
                json!({"CenId": "cen-nope", "Name": "x"}),
                "ParameterCenInstanceId",
            ),
            (json!({"CenId": id, "Name": "http://x"}), "InvalidParameter"),
        ] {
            let err = h
                .emulator
                .modify_cen_attribute(&h.caller(A), req(body))
                .unwrap_err();
            assert_eq!(err.code, code);
        }
        // Another account cannot see the instance.
        let err = h
            .emulator
            .modify_cen_attribute(&h.caller(B), req(json!({"CenId": id})))
            .unwrap_err();
        assert_eq!(err.code, "ParameterCenInstanceId");
    }

    #[test]
    fn delete_lifecycle_and_refusals() {
        let h = Harness::new();
        let id = h.create_cen(A, json!({}));
        let delete = |caller| {
            h.emulator
                .delete_cen(&h.caller(caller), req(json!({ "CenId": id })))
        };
        assert_eq!(
            delete(A).unwrap_err().code,
            "InvalidOperation.CenInstanceStatus"
        );
        h.advance();
        h.attach(A, &id, "vpc-bp1emuhz00000000001", "VPC", "cn-hangzhou");
        assert_eq!(
            delete(A).unwrap_err().code,
            "InvalidOperation.AttachedChildInstanceExist"
        );
        h.advance();
        h.detach(A, &id, "vpc-bp1emuhz00000000001", "VPC", "cn-hangzhou");
        // Still Detaching.
        assert_eq!(
            delete(A).unwrap_err().code,
            "InvalidOperation.AttachedChildInstanceExist"
        );
        h.advance();
        let bwp = h.create_bwp(A, json!({"Bandwidth": 10, "GeographicRegionAId": "China", "GeographicRegionBId": "China"}));
        h.associate(A, &id, &bwp);
        assert_eq!(
            delete(A).unwrap_err().code,
            "InvalidOperation.BwpInstanceStatus"
        );
        h.emulator
            .unassociate_cen_bandwidth_package(
                &h.caller(A),
                req(json!({"CenId": id, "CenBandwidthPackageId": bwp})),
            )
            .unwrap();
        assert_eq!(delete(B).unwrap_err().code, "ParameterCenInstanceId");
        delete(A).unwrap();
        assert_eq!(
            h.describe_cens(A, json!({}))[0].status.as_deref(),
            Some("Deleting")
        );
        assert_eq!(
            delete(A).unwrap_err().code,
            "InvalidOperation.CenInstanceStatus"
        );
        h.advance();
        assert!(h.describe_cens(A, json!({})).is_empty());
        assert_eq!(delete(A).unwrap_err().code, "ParameterCenInstanceId");
    }
}
