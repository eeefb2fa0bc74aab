pub mod helpers;
pub mod manager;
pub mod types;
