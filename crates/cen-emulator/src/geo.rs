//! Geographic areas, the regions that belong to them, and the area pairs (spans) that bandwidth
//! plans connect.
//!
//! The membership follows DescribeGeographicRegionMembership and the CEN region list of the
//! documentation: the Chinese mainland, Asia Pacific (which absorbed the 2019 `australia` area),
//! Europe and North America.

/// One geographic area, with its two spellings: `china` in region membership and span ids,
/// `China` in bandwidth plan parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Area {
    /// The Chinese mainland.
    China,
    /// Asia Pacific outside the Chinese mainland.
    AsiaPacific,
    /// Europe.
    Europe,
    /// North America.
    NorthAmerica,
}

/// Every area, in the order used to build span ids.
pub const AREAS: [Area; 4] = [
    Area::China,
    Area::AsiaPacific,
    Area::Europe,
    Area::NorthAmerica,
];

/// The regions of each area, in the order DescribeGeographicRegionMembership lists them.
const MEMBERSHIP: &[(Area, &[&str])] = &[
    (
        Area::China,
        &[
            "cn-qingdao",
            "cn-beijing",
            "cn-zhangjiakou",
            "cn-huhehaote",
            "cn-wulanchabu",
            "cn-hangzhou",
            "cn-shanghai",
            "cn-nanjing",
            "cn-fuzhou",
            "cn-shenzhen",
            "cn-heyuan",
            "cn-guangzhou",
            "cn-chengdu",
        ],
    ),
    (
        Area::AsiaPacific,
        &[
            "cn-hongkong",
            "ap-northeast-1",
            "ap-northeast-2",
            "ap-southeast-1",
            "ap-southeast-2",
            "ap-southeast-3",
            "ap-southeast-5",
            "ap-southeast-6",
            "ap-southeast-7",
            "ap-south-1",
        ],
    ),
    (Area::Europe, &["eu-central-1", "eu-west-1"]),
    (Area::NorthAmerica, &["us-west-1", "us-east-1"]),
];

impl Area {
    /// The lower-case id used by region membership and span ids (`north-america`).
    pub fn id(self) -> &'static str {
        match self {
            Self::China => "china",
            Self::AsiaPacific => "asia-pacific",
            Self::Europe => "europe",
            Self::NorthAmerica => "north-america",
        }
    }

    /// The capitalized id used by bandwidth plans (`North-America`).
    pub fn plan_id(self) -> &'static str {
        match self {
            Self::China => "China",
            Self::AsiaPacific => "Asia-Pacific",
            Self::Europe => "Europe",
            Self::NorthAmerica => "North-America",
        }
    }

    /// Parses either spelling, case-insensitively, because the two APIs disagree on case.
    pub fn parse(value: &str) -> Option<Self> {
        AREAS
            .into_iter()
            .find(|a| a.id().eq_ignore_ascii_case(value))
    }

    /// The regions of the area.
    pub fn regions(self) -> &'static [&'static str] {
        MEMBERSHIP
            .iter()
            .find(|(area, _)| *area == self)
            .map_or(&[], |(_, regions)| regions)
    }

    /// The area of a region, or `None` for a region CEN does not know.
    pub fn of_region(region: &str) -> Option<Self> {
        MEMBERSHIP
            .iter()
            .find(|(_, regions)| regions.contains(&region))
            .map(|(area, _)| *area)
    }
}

/// What the emulator knows of each region besides its area: the code that region-coded ids
/// (`tr-`, `vtb-`, `vpc-`, `vsw-`) start with, and the zones transit routers can use there.
///
/// The codes are those of public examples (`bp1` Hangzhou, `uf6` Shanghai, `2ze` Beijing, ...);
/// where no example was found the emulator picked one (marked). The zones follow Alibaba's zone
/// lists; in regions outside the Chinese mainland a zone is the region and a letter
/// (`ap-southeast-1a`); in the `cn-` regions (Hong Kong included) the region, a dash and a
/// letter (`cn-hangzhou-h`).
const REGIONS: &[(&str, &str, &[&str])] = &[
    ("cn-qingdao", "m5e", &["b", "c"]),
    (
        "cn-beijing",
        "2ze",
        &["a", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"],
    ),
    ("cn-zhangjiakou", "8vb", &["a", "b", "c"]),
    ("cn-huhehaote", "hp3", &["a", "b"]),
    ("cn-wulanchabu", "0jl", &["a", "b", "c"]),
    ("cn-hangzhou", "bp1", &["b", "f", "g", "h", "i", "j", "k"]),
    (
        "cn-shanghai",
        "uf6",
        &["a", "b", "e", "f", "g", "k", "l", "m", "n"],
    ),
    // Emulator's code.
    ("cn-nanjing", "gc7", &["a"]),
    // Emulator's code.
    ("cn-fuzhou", "gw0", &["a"]),
    ("cn-shenzhen", "wz9", &["a", "c", "d", "e", "f"]),
    ("cn-heyuan", "f8z", &["a", "b"]),
    ("cn-guangzhou", "7xv", &["a", "b"]),
    ("cn-chengdu", "2vc", &["a", "b"]),
    ("cn-hongkong", "j6c", &["b", "c", "d"]),
    ("ap-northeast-1", "6we", &["a", "b", "c"]),
    ("ap-northeast-2", "mj7", &["a"]),
    ("ap-southeast-1", "t4n", &["a", "b", "c"]),
    ("ap-southeast-2", "p0w", &["a", "b"]),
    ("ap-southeast-3", "8ps", &["a", "b"]),
    ("ap-southeast-5", "k1a", &["a", "b", "c"]),
    ("ap-southeast-6", "5ts", &["a", "b"]),
    // Emulator's code.
    ("ap-southeast-7", "0jo", &["a"]),
    ("ap-south-1", "a2d", &["a", "b"]),
    ("eu-central-1", "gw8", &["a", "b", "c"]),
    ("eu-west-1", "d7o", &["a", "b"]),
    ("us-west-1", "rj9", &["a", "b"]),
    ("us-east-1", "0xi", &["a", "b"]),
];

/// Where a region comes in the order of DescribeGeographicRegionMembership (regions CEN does
/// not serve come last).
pub fn membership_order(region: &str) -> usize {
    MEMBERSHIP
        .iter()
        .flat_map(|(_, regions)| regions.iter())
        .position(|r| *r == region)
        .unwrap_or(usize::MAX)
}

/// The English names of the regions (DescribeChildInstanceRegions' `LocalName`).
const NAMES: &[(&str, &str)] = &[
    ("cn-qingdao", "China (Qingdao)"),
    ("cn-beijing", "China (Beijing)"),
    ("cn-zhangjiakou", "China (Zhangjiakou)"),
    ("cn-huhehaote", "China (Hohhot)"),
    ("cn-wulanchabu", "China (Ulanqab)"),
    ("cn-hangzhou", "China (Hangzhou)"),
    ("cn-shanghai", "China (Shanghai)"),
    ("cn-nanjing", "China (Nanjing - Local Region)"),
    ("cn-fuzhou", "China (Fuzhou - Local Region)"),
    ("cn-shenzhen", "China (Shenzhen)"),
    ("cn-heyuan", "China (Heyuan)"),
    ("cn-guangzhou", "China (Guangzhou)"),
    ("cn-chengdu", "China (Chengdu)"),
    ("cn-hongkong", "China (Hong Kong)"),
    ("ap-northeast-1", "Japan (Tokyo)"),
    ("ap-northeast-2", "South Korea (Seoul)"),
    ("ap-southeast-1", "Singapore"),
    ("ap-southeast-2", "Australia (Sydney)"),
    ("ap-southeast-3", "Malaysia (Kuala Lumpur)"),
    ("ap-southeast-5", "Indonesia (Jakarta)"),
    ("ap-southeast-6", "Philippines (Manila)"),
    ("ap-southeast-7", "Thailand (Bangkok)"),
    ("ap-south-1", "India (Mumbai)"),
    ("eu-central-1", "Germany (Frankfurt)"),
    ("eu-west-1", "UK (London)"),
    ("us-west-1", "US (Silicon Valley)"),
    ("us-east-1", "US (Virginia)"),
];

/// The English name of a region, or its id for a region without one.
pub fn local_name(region: &str) -> &str {
    NAMES
        .iter()
        .find(|(r, _)| *r == region)
        .map_or(region, |(_, name)| name)
}

/// The code that region-coded ids of a region start with (`bp1` for `cn-hangzhou`).
pub fn region_code(region: &str) -> Option<&'static str> {
    REGIONS
        .iter()
        .find(|(r, _, _)| *r == region)
        .map(|(_, code, _)| *code)
}

/// The zones of a region, in Alibaba's order (empty for a region CEN does not know).
pub fn zones(region: &str) -> Vec<String> {
    let Some((_, _, letters)) = REGIONS.iter().find(|(r, _, _)| *r == region) else {
        return Vec::new();
    };
    let dash = if region.starts_with("cn-") { "-" } else { "" };
    letters
        .iter()
        .map(|letter| format!("{region}{dash}{letter}"))
        .collect()
}

/// An unordered pair of areas, the unit a bandwidth plan serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// The first area in [`AREAS`] order.
    pub a: Area,
    /// The second area in [`AREAS`] order (equal to `a` for an intra-area span).
    pub b: Area,
}

impl Span {
    /// The span between two areas, in either order.
    pub fn new(x: Area, y: Area) -> Self {
        if x <= y {
            Self { a: x, b: y }
        } else {
            Self { a: y, b: x }
        }
    }

    /// The span id, such as `china_north-america`.
    pub fn id(self) -> String {
        format!("{}_{}", self.a.id(), self.b.id())
    }

    /// Parses a span id written by [`Span::id`] (areas in either order).
    pub fn parse(id: &str) -> Option<Self> {
        AREAS.into_iter().find_map(|x| {
            let rest = id.strip_prefix(x.id())?.strip_prefix('_')?;
            Some(Self::new(x, Area::parse(rest)?))
        })
    }

    /// Whether the span crosses the border of the Chinese mainland, which the documentation
    /// treats as a cross-border plan.
    pub fn is_cross_border(self) -> bool {
        self.a != self.b && (self.a == Area::China || self.b == Area::China)
    }

    /// Every span, intra-area ones included, in a stable order.
    pub fn all() -> Vec<Self> {
        let mut spans = Vec::new();
        for (i, a) in AREAS.into_iter().enumerate() {
            for b in AREAS.into_iter().skip(i) {
                spans.push(Self::new(a, b));
            }
        }
        spans
    }

    /// The span connecting two regions, or `None` if either region is unknown.
    pub fn of_regions(x: &str, y: &str) -> Option<Self> {
        Some(Self::new(Area::of_region(x)?, Area::of_region(y)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_map_to_their_areas() {
        assert_eq!(Area::of_region("cn-hangzhou"), Some(Area::China));
        assert_eq!(Area::of_region("us-west-1"), Some(Area::NorthAmerica));
        assert_eq!(Area::of_region("eu-central-1"), Some(Area::Europe));
        assert_eq!(Area::of_region("ap-southeast-1"), Some(Area::AsiaPacific));
        assert_eq!(Area::of_region("mars-north-1"), None);
    }

    #[test]
    fn spans_are_unordered_and_round_trip() {
        let span = Span::new(Area::NorthAmerica, Area::China);
        assert_eq!(span.id(), "china_north-america");
        assert_eq!(Span::parse("north-america_china"), Some(span));
        assert_eq!(Span::parse(&span.id()), Some(span));
        assert!(span.is_cross_border());
        assert!(!Span::new(Area::China, Area::China).is_cross_border());
        assert_eq!(Span::all().len(), 10);
    }

    #[test]
    fn every_cen_region_has_a_code_and_zones() {
        for area in AREAS {
            for region in area.regions() {
                assert_eq!(region_code(region).map(str::len), Some(3), "{region}");
                assert!(!zones(region).is_empty(), "{region}");
            }
        }
        assert_eq!(zones("cn-hangzhou")[0], "cn-hangzhou-b");
        assert_eq!(zones("ap-southeast-1")[0], "ap-southeast-1a");
        assert!(zones("mars-north-1").is_empty());
    }

    #[test]
    fn both_spellings_parse() {
        assert_eq!(Area::parse("North-America"), Some(Area::NorthAmerica));
        assert_eq!(Area::parse("north-america"), Some(Area::NorthAmerica));
        assert_eq!(Area::parse("australia"), None);
    }
}
