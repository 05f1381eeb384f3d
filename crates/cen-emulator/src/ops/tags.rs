//! Tags of every resource kind that declares tag types: TagResources, UntagResources,
//! ListTagResources; and MoveResourceGroup, the other operation on resources of any kind.

use acs_rpc::error::ApiError;

use crate::api::cbn as t;
use crate::emulator::{Caller, Ctx, Emulator};
use crate::errors;
use crate::state::State;
use crate::validate::{self, INVALID_TAG};

/// Reads ResourceType: one of the types the resource kinds declare, in any case; the other
/// documented types (kinds not emulated yet) are `InvalidInstanceType.NotFound`.
fn kind(resource_type: &str) -> Result<&'static str, ApiError> {
    if resource_type.is_empty() {
        return Err(errors::missing_param("ResourceType"));
    }
    State::tag_type(resource_type).ok_or_else(errors::tag_resource_type_not_found)
}

/// The ids of the caller's resources of a kind, in creation order.
fn resources(ctx: &Ctx<'_>, state: &State, caller: &Caller, kind: &str) -> Vec<String> {
    state.tagged_ids(kind, caller.uid, ctx.now, ctx.delay)
}

/// Checks ResourceId.N: present (`MissingParam`), at most 20
/// (`SizeLimitExceeded.ResourceIdNum`), and every one the caller's
/// (`InvalidInstanceIds.NotFound`).
fn check_ids(
    ctx: &Ctx<'_>,
    state: &State,
    caller: &Caller,
    kind: &str,
    ids: &[String],
) -> Result<(), ApiError> {
    if ids.is_empty() {
        return Err(errors::missing_param("ResourceId"));
    }
    if ids.len() > 20 {
        return Err(errors::resource_id_num_exceeded());
    }
    let owned = resources(ctx, state, caller, kind);
    if ids.iter().any(|id| !owned.contains(id)) {
        return Err(errors::tag_resource_ids_not_found());
    }
    Ok(())
}

impl Emulator {
    /// TagResources: adds tags to resources of the caller of one ResourceType, compared in any
    /// case: `cen`, `BandwidthPackage`, `TransitRouter`, `TransitRouterRouteTable` (the types
    /// the resource kinds declare); an existing key gets the new value.
    ///
    /// Errors: another ResourceType `InvalidInstanceType.NotFound`; no ResourceId.N or no Tag.N
    /// `MissingParam`; more than 20 ids `SizeLimitExceeded.ResourceIdNum`; an id that is not the
    /// caller's `InvalidInstanceIds.NotFound`; a tag without key `MissingParameter.TagKey`; a
    /// bad key `InvalidTagKey`; a bad value `InvalidTagValue`; a key twice
    /// `DuplicatedParam.TagKey`; more than 20 tags in the call `InvalidParameter`; more than 20
    /// tags on a resource afterwards `QuotaExceeded.TagNum`.
    pub fn tag_resources(
        &self,
        caller: &Caller,
        request: t::TagResourcesRequest,
    ) -> Result<t::TagResourcesResponse, ApiError> {
        let kind = kind(&request.resource_type)?;
        if request.tag.is_empty() {
            return Err(errors::missing_param("Tag"));
        }
        if request
            .tag
            .iter()
            .any(|t| t.key.as_deref().is_none_or(str::is_empty))
        {
            return Err(errors::missing_tag_key());
        }
        let tags = validate::tags_to_set(
            request.tag.iter().map(|t| (t.key.clone(), t.value.clone())),
            INVALID_TAG,
        )?;
        self.write(|state, ctx| {
            check_ids(ctx, state, caller, kind, &request.resource_id)?;
            for id in &request.resource_id {
                let count = state
                    .with_tags(kind, id, |existing| {
                        for tag in &tags {
                            match existing.iter_mut().find(|t| t.key == tag.key) {
                                Some(t) => t.value.clone_from(&tag.value),
                                None => existing.push(tag.clone()),
                            }
                        }
                        existing.len()
                    })
                    .ok_or_else(errors::tag_resource_ids_not_found)?;
                if count > 20 {
                    return Err(errors::tag_quota_exceeded());
                }
            }
            Ok(())
        })?;
        Ok(t::TagResourcesResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// UntagResources: removes the keys TagKey.N (or, with All true and no key, every tag) from
    /// resources of the caller; keys a resource does not carry are ignored.
    ///
    /// Errors: those of TagResources for ResourceType and ResourceId.N; neither TagKey.N nor All
    /// `MissingParam`; a bad key `InvalidTagKey`.
    pub fn untag_resources(
        &self,
        caller: &Caller,
        request: t::UntagResourcesRequest,
    ) -> Result<t::UntagResourcesResponse, ApiError> {
        let kind = kind(&request.resource_type)?;
        let all = request.all.unwrap_or(false);
        if request.tag_key.is_empty() && !all {
            return Err(errors::missing_param("TagKey"));
        }
        if request.tag_key.len() > 20 {
            return Err(errors::invalid_parameter());
        }
        if request.tag_key.iter().any(|k| !validate::tag_key_ok(k)) {
            return Err(errors::invalid_tag_key());
        }
        self.write(|state, ctx| {
            check_ids(ctx, state, caller, kind, &request.resource_id)?;
            for id in &request.resource_id {
                state.with_tags(kind, id, |existing| {
                    if request.tag_key.is_empty() {
                        existing.clear();
                    } else {
                        existing.retain(|t| !request.tag_key.contains(&t.key));
                    }
                });
            }
            Ok(())
        })?;
        Ok(t::UntagResourcesResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }

    /// ListTagResources: the (resource, tag) pairs of the caller's resources of one type, of
    /// the resources ResourceId.N and/or of those carrying every tag Tag.N, in creation order
    /// and then tag order, paged by NextToken (an opaque offset) and PageSize (1 to 50).
    ///
    /// Errors: another ResourceType `InvalidInstanceType.NotFound`; neither ResourceId.N nor
    /// Tag.N `BothEmpty.TagsAndResources`; more than 20 ids `SizeLimitExceeded.ResourceIdNum`;
    /// a bad tag key `InvalidTagKey`, value `InvalidTagValue`; a NextToken the emulator did not
    /// give `IllegalParam.NextToken`.
    pub fn list_tag_resources(
        &self,
        caller: &Caller,
        request: t::ListTagResourcesRequest,
    ) -> Result<t::ListTagResourcesResponse, ApiError> {
        let kind = kind(&request.resource_type)?;
        let size = usize::try_from(request.page_size.unwrap_or(10))
            .ok()
            .filter(|s| (1..=50).contains(s))
            .ok_or_else(errors::invalid_parameter)?;
        if request.resource_id.is_empty() && request.tag.is_empty() {
            return Err(errors::both_empty_tags_and_resources());
        }
        if request.resource_id.len() > 20 {
            return Err(errors::resource_id_num_exceeded());
        }
        let filters = validate::tag_filters(
            request.tag.iter().map(|t| (t.key.clone(), t.value.clone())),
            INVALID_TAG,
        )?;
        let offset: usize = match request.next_token.as_deref() {
            None | Some("") => 0,
            Some(token) => token.parse().map_err(|_| errors::illegal_next_token())?,
        };
        let items = self.read(|state, ctx| {
            let mut items = Vec::new();
            for id in resources(ctx, state, caller, kind) {
                if !request.resource_id.is_empty() && !request.resource_id.contains(&id) {
                    continue;
                }
                let tags = state.tags_of(kind, &id);
                if !validate::tags_match(tags, &filters) {
                    continue;
                }
                for tag in tags {
                    items.push(t::TagResource {
                        resource_id: Some(id.clone()),
                        resource_type: Some(request.resource_type.clone()),
                        tag_key: Some(tag.key.clone()),
                        tag_value: Some(tag.value.clone()),
                    });
                }
            }
            items
        });
        if offset > items.len() {
            return Err(errors::illegal_next_token());
        }
        let total = items.len();
        let tag_resource: Vec<_> = items.into_iter().skip(offset).take(size).collect();
        let end = offset + tag_resource.len();
        Ok(t::ListTagResourcesResponse {
            next_token: (end < total).then(|| end.to_string()),
            request_id: Some(caller.request_id.clone()),
            tag_resources: Some(t::ListTagResourcesResponseTagResources { tag_resource }),
        })
    }
}

impl Emulator {
    /// MoveResourceGroup: moves a CEN instance (`CEN`) or a bandwidth plan (`bandwidthpackage`)
    /// of the caller to another resource group; DescribeCens and DescribeCenBandwidthPackages
    /// then report it there and filter by it.
    ///
    /// NewResourceGroupId must be `rg-` and lower-case letters and digits; emulator rule: any such
    /// group exists, since the emulator has no Resource Management to ask. A resource that is not
    /// the caller's, another ResourceType, or a bad group: `InvalidParameter`, saying which.
    /// `DryRun` answers `DryRunOperation`; a ClientToken makes the call idempotent.
    pub fn move_resource_group(
        &self,
        caller: &Caller,
        request: t::MoveResourceGroupRequest,
    ) -> Result<t::MoveResourceGroupResponse, ApiError> {
        use cen_server::cbn::errors::move_resource_group as e;
        if !crate::ops::cen::is_resource_group_id(&request.new_resource_group_id) {
            return Err(errors::saying(
                e::invalid_parameter,
                "NewResourceGroupId is not a resource group id.",
            ));
        }
        let kind = match &request.resource_type {
            t::MoveResourceGroupRequestResourceType::Cen => "cen",
            t::MoveResourceGroupRequestResourceType::Bandwidthpackage => "bandwidthpackage",
            _ => {
                return Err(errors::saying(
                    e::invalid_parameter,
                    "ResourceType is CEN or bandwidthpackage.",
                ));
            }
        };
        self.write_idempotent(
            caller,
            "MoveResourceGroup",
            request.client_token.as_deref(),
            &request,
            |state, ctx| {
                let id = &request.resource_id;
                let group = Some(request.new_resource_group_id.clone());
                let found = match kind {
                    "cen" => state
                        .cens
                        .get(id)
                        .is_some_and(|c| c.owner == caller.uid && ctx.live(c)),
                    _ => state
                        .packages
                        .get(id)
                        .is_some_and(|p| p.owner == caller.uid),
                };
                if !found {
                    return Err(errors::saying(
                        e::invalid_parameter,
                        "ResourceId is not a resource of yours of that type.",
                    ));
                }
                validate::dry_run(request.dry_run, e::dry_run_operation)?;
                match kind {
                    "cen" => {
                        if let Some(mut cen) = state.cens.get_mut(id) {
                            cen.resource_group = group;
                        }
                    }
                    _ => {
                        if let Some(mut package) = state.packages.get_mut(id) {
                            package.resource_group = group;
                        }
                    }
                }
                Ok(())
            },
        )?;
        Ok(t::MoveResourceGroupResponse {
            request_id: Some(caller.request_id.clone()),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{A, B, Harness, req};
    use serde_json::json;

    fn tag(h: &Harness, uid: i64, body: serde_json::Value) -> Result<(), String> {
        h.emulator
            .tag_resources(&h.caller(uid), req(body))
            .map(|_| ())
            .map_err(|e| e.code)
    }

    fn list(
        h: &Harness,
        body: serde_json::Value,
    ) -> (Vec<(String, String, String)>, Option<String>) {
        let r = h
            .emulator
            .list_tag_resources(&h.caller(A), req(body))
            .unwrap();
        (
            r.tag_resources
                .unwrap()
                .tag_resource
                .into_iter()
                .map(|t| {
                    (
                        t.resource_id.unwrap(),
                        t.tag_key.unwrap(),
                        t.tag_value.unwrap(),
                    )
                })
                .collect(),
            r.next_token,
        )
    }

    #[test]
    fn tag_list_untag() {
        let h = Harness::new();
        let c1 = h.create_cen(A, json!({"Tag": [{"Key": "env", "Value": "prod"}]}));
        let c2 = h.create_cen(A, json!({}));
        let bwp = h.create_bwp(A, json!({"Bandwidth": 2, "GeographicRegionAId": "China", "GeographicRegionBId": "Europe"}));
        tag(&h, A, json!({"ResourceType": "cen", "ResourceId": [c1, c2], "Tag": [{"Key": "team", "Value": "net"}]})).unwrap();
        tag(&h, A, json!({"ResourceType": "cen", "ResourceId": [c1], "Tag": [{"Key": "env", "Value": "dev"}]})).unwrap();
        tag(&h, A, json!({"ResourceType": "BandwidthPackage", "ResourceId": [bwp], "Tag": [{"Key": "team", "Value": "net"}]})).unwrap();

        let (items, next) = list(&h, json!({"ResourceType": "Cen", "ResourceId": [c1, c2]}));
        assert_eq!(
            items,
            [
                (c1.clone(), "env".into(), "dev".into()),
                (c1.clone(), "team".into(), "net".into()),
                (c2.clone(), "team".into(), "net".into()),
            ]
        );
        assert_eq!(next, None);
        let (page1, next) = list(
            &h,
            json!({"ResourceType": "Cen", "Tag": [{"Key": "team"}], "PageSize": 2}),
        );
        assert_eq!(page1.len(), 2);
        let (page2, next) = list(
            &h,
            json!({"ResourceType": "Cen", "Tag": [{"Key": "team"}], "PageSize": 2, "NextToken": next.unwrap()}),
        );
        assert_eq!(page2.len(), 1);
        assert_eq!(next, None);
        let (by_value, _) = list(
            &h,
            json!({"ResourceType": "Cen", "Tag": [{"Key": "env", "Value": "dev"}]}),
        );
        assert_eq!(by_value.len(), 2);
        let (plans, _) = list(
            &h,
            json!({"ResourceType": "BandwidthPackage", "Tag": [{"Key": "team"}]}),
        );
        assert_eq!(plans, [(bwp.clone(), "team".into(), "net".into())]);

        // DescribeCens sees the tags and filters on them.
        assert_eq!(
            h.describe_cens(A, json!({"Tag": [{"Key": "team", "Value": "net"}]}))
                .len(),
            2
        );

        h.emulator
            .untag_resources(
                &h.caller(A),
                req(json!({"ResourceType": "cen", "ResourceId": [c1], "TagKey": ["team"]})),
            )
            .unwrap();
        let (items, _) = list(&h, json!({"ResourceType": "cen", "ResourceId": [c1]}));
        assert_eq!(items, [(c1.clone(), "env".into(), "dev".into())]);
        h.emulator
            .untag_resources(
                &h.caller(A),
                req(json!({"ResourceType": "cen", "ResourceId": [c1], "All": true})),
            )
            .unwrap();
        assert!(
            list(&h, json!({"ResourceType": "cen", "ResourceId": [c1]}))
                .0
                .is_empty()
        );
    }

    #[test]
    fn tag_errors() {
        let h = Harness::new();
        let c1 = h.create_cen(A, json!({}));
        let many_ids: Vec<String> = (0..21).map(|i| format!("cen-{i}")).collect();
        let cases = [
            (
                json!({"ResourceType": "VPC", "ResourceId": [c1], "Tag": [{"Key": "k", "Value": "v"}]}),
                "InvalidInstanceType.NotFound",
            ),
            (
                json!({"ResourceType": "cen", "ResourceId": [], "Tag": [{"Key": "k", "Value": "v"}]}),
                "MissingParam",
            ),
            (
                json!({"ResourceType": "cen", "ResourceId": [c1], "Tag": []}),
                "MissingParam",
            ),
            (
                json!({"ResourceType": "cen", "ResourceId": many_ids, "Tag": [{"Key": "k", "Value": "v"}]}),
                "SizeLimitExceeded.ResourceIdNum",
            ),
            (
                json!({"ResourceType": "cen", "ResourceId": ["cen-nope"], "Tag": [{"Key": "k", "Value": "v"}]}),
                "InvalidInstanceIds.NotFound",
            ),
            (
                json!({"ResourceType": "cen", "ResourceId": [c1], "Tag": [{"Value": "v"}]}),
                "MissingParameter.TagKey",
            ),
            (
                json!({"ResourceType": "cen", "ResourceId": [c1], "Tag": [{"Key": "acs:k", "Value": "v"}]}),
                "InvalidTagKey",
            ),
            (
                json!({"ResourceType": "cen", "ResourceId": [c1], "Tag": [{"Key": "k", "Value": "http://v"}]}),
                "InvalidTagValue",
            ),
            (
                json!({"ResourceType": "cen", "ResourceId": [c1], "Tag": [{"Key": "k"}, {"Key": "k"}]}),
                "DuplicatedParam.TagKey",
            ),
        ];
        for (body, code) in cases {
            assert_eq!(tag(&h, A, body.clone()), Err(code.into()), "{body}");
        }
        assert_eq!(
            tag(
                &h,
                B,
                json!({"ResourceType": "cen", "ResourceId": [c1], "Tag": [{"Key": "k"}]})
            ),
            Err("InvalidInstanceIds.NotFound".into())
        );
        for batch in 0..2 {
            let tags: Vec<_> = (0..10)
                .map(|i| json!({"Key": format!("k{batch}-{i}")}))
                .collect();
            tag(
                &h,
                A,
                json!({"ResourceType": "cen", "ResourceId": [c1], "Tag": tags}),
            )
            .unwrap();
        }
        assert_eq!(
            tag(
                &h,
                A,
                json!({"ResourceType": "cen", "ResourceId": [c1], "Tag": [{"Key": "one-more"}]})
            ),
            Err("QuotaExceeded.TagNum".into())
        );
        let list_err = |body: serde_json::Value| {
            h.emulator
                .list_tag_resources(&h.caller(A), req(body))
                .unwrap_err()
                .code
        };
        assert_eq!(
            list_err(json!({"ResourceType": "cen"})),
            "BothEmpty.TagsAndResources"
        );
        assert_eq!(
            list_err(json!({"ResourceType": "cen", "ResourceId": [c1], "NextToken": "x"})),
            "IllegalParam.NextToken"
        );
        assert_eq!(
            list_err(json!({"ResourceType": "cen", "ResourceId": [c1], "PageSize": 51})),
            "InvalidParameter"
        );
        let untag_err = |body: serde_json::Value| {
            h.emulator
                .untag_resources(&h.caller(A), req(body))
                .unwrap_err()
                .code
        };
        assert_eq!(
            untag_err(json!({"ResourceType": "cen", "ResourceId": [c1]})),
            "MissingParam"
        );
        assert_eq!(
            untag_err(json!({"ResourceType": "cen", "ResourceId": [c1], "TagKey": ["aliyun"]})),
            "InvalidTagKey"
        );
    }
}
