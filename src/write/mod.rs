//! Writers: `Document` (or selection) → bytes. Writers never touch the filesystem.

pub mod docx;
pub mod html;
pub mod markdown;
pub mod pdf;
pub mod xlsx;
