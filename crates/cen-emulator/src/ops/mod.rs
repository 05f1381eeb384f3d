//! The operations, one file per family, each an `impl Emulator` block.

mod aggregations;
mod associations;
mod attachments;
mod bandwidth;
mod cen;
mod child;
mod ecr_attachments;
mod flow_logs;
mod grants;
mod health;
mod limits;
mod multicast;
mod peer_attachments;
mod qos;
mod route_entries;
mod route_maps;
mod route_tables;
mod routes;
mod tags;
mod tr_grants;
mod traffic_marking;
mod transit_router_cidrs;
mod transit_routers;
mod vbr_attachments;
mod vpc_attachments;
mod vpn_attachments;
