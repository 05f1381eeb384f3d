//! The JSON shape of a success response, as [`shapes::RESPONSES`](crate::shapes::RESPONSES)
//! describes every operation's: what a checker needs to tell a body that follows the spec from
//! one with a field the API does not have, a field of another type, or a list wrapped where the
//! API returns a bare array (and the reverse).

/// What one JSON value looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// A string (enumerations and timestamps included).
    String,
    /// A whole number (Alibaba's Integer and Long).
    Integer,
    /// Any number (Float and Double).
    Number,
    /// `true` or `false`.
    Boolean,
    /// An object with these members, each optional; no other member is allowed.
    Object(&'static [Member]),
    /// An array of this item.
    Array(&'static Value),
    /// An object with any keys, each value of this shape (`additionalProperties`).
    Map(&'static Value),
    /// Anything: a schema without a type.
    Any,
}

impl Value {
    /// The member `name` of an object shape.
    pub fn member(&self, name: &str) -> Option<&'static Value> {
        match self {
            Self::Object(members) => members.iter().find(|m| m.name == name).map(|m| &m.value),
            _ => None,
        }
    }
}

/// One member of an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    /// The wire name.
    pub name: &'static str,
    /// Its shape.
    pub value: Value,
}

/// The success response of one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Response {
    /// `x-acs-product` (`Cbn`).
    pub product: &'static str,
    /// The `Action` (`DescribeCens`).
    pub action: &'static str,
    /// The body, always an object.
    pub body: Value,
}

/// The success response of `action` of `product` (`Cbn`, `Vpc`, `Sts`).
pub fn response(product: &str, action: &str) -> Option<&'static Response> {
    crate::shapes::RESPONSES
        .iter()
        .find(|r| r.product == product && r.action == action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_has_one_response_shape() {
        let actions: std::collections::BTreeSet<(&str, &str)> = crate::shapes::RESPONSES
            .iter()
            .map(|r| (r.product, r.action))
            .collect();
        assert_eq!(actions.len(), crate::shapes::RESPONSES.len());
        let operations: usize = crate::operations::PRODUCTS
            .iter()
            .map(|p| p.operations.len())
            .sum();
        assert_eq!(actions.len(), operations);
    }

    #[test]
    fn older_lists_are_wrapped_and_newer_ones_are_bare() {
        let cens = response("Cbn", "DescribeCens").expect("DescribeCens").body;
        let wrapper = cens.member("Cens").expect("Cens");
        assert!(matches!(
            wrapper.member("Cen"),
            Some(Value::Array(Value::Object(_)))
        ));
        let routers = response("Cbn", "ListTransitRouters")
            .expect("ListTransitRouters")
            .body;
        let list = routers.member("TransitRouters").expect("TransitRouters");
        let Value::Array(item) = list else {
            panic!("TransitRouters is a bare array, got {list:?}");
        };
        assert_eq!(item.member("Status"), Some(&Value::String));
        assert_eq!(routers.member("TotalCount"), Some(&Value::Integer));
    }
}
