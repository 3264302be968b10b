//! Passthrough: walking a value's structure to find where it ends, without decoding it.
//!
//! This is the hot path of a migration. Blobs (ziplists, listpacks, intsets, quicklist nodes,
//! stream nodes) are skipped as opaque strings and LZF data is not expanded; the bytes stay in the
//! reader's buffer, which captures them. The walk stops with [`Stop::TooBig`] as soon as the value
//! would exceed the capture budget, before its bytes are buffered, so the reader can rewind and
//! decode it in parts instead.

use tokio::io::AsyncRead;

use super::error::RdbError;
use super::input::{Input, MAX_ELEMENTS};
use super::length::StrHeader;
use super::module::{module_name, skip_opcodes};
use super::types::Kind;
use crate::text::catalog::run_errors as msg;
use crate::text::{Entry, Text};

/// Why a walk stopped early.
#[derive(Debug)]
pub(crate) enum Stop {
    /// The value is larger than the capture budget.
    TooBig,
    Error(RdbError),
}

impl From<RdbError> for Stop {
    fn from(e: RdbError) -> Self {
        Stop::Error(e)
    }
}

/// Walks values under an optional capture budget.
pub(crate) struct Walker<'a, R> {
    pub input: &'a mut Input<R>,
    pub limit: Option<usize>,
}

impl<R: AsyncRead + Unpin> Walker<'_, R> {
    /// Fails with [`Stop::TooBig`] if consuming `n` more bytes would exceed the budget.
    #[inline]
    fn budget(&self, n: u64) -> Result<(), Stop> {
        match self.limit {
            Some(limit) if self.input.capture_len() as u64 + n > limit as u64 => Err(Stop::TooBig),
            _ => Ok(()),
        }
    }

    async fn fixed(&mut self, n: u64) -> Result<(), Stop> {
        self.budget(n)?;
        self.input.skip(n).await?;
        Ok(())
    }

    async fn string(&mut self, what: &'static Entry) -> Result<(), Stop> {
        if let Some(span) = self.input.buffered_string_span() {
            self.budget(span as u64)?;
            self.input.consume(span);
            return Ok(());
        }
        let n = match self.input.str_header(what).await? {
            StrHeader::Raw { len } => len,
            StrHeader::Int(_) => 0,
            StrHeader::Lzf { clen, .. } => clen,
        };
        self.fixed(n).await
    }

    async fn count(&mut self, what: &'static Entry) -> Result<u64, Stop> {
        Ok(self.input.count(what, MAX_ELEMENTS).await?)
    }

    async fn length(&mut self, what: &'static Entry) -> Result<u64, Stop> {
        Ok(self.input.length(what).await?)
    }

    /// Walks one value of `kind`.
    pub(crate) async fn value(&mut self, kind: Kind) -> Result<(), Stop> {
        match kind {
            Kind::String
            | Kind::Zipmap
            | Kind::ListZiplist
            | Kind::Intset
            | Kind::ZSetZiplist
            | Kind::HashZiplist
            | Kind::HashListpack
            | Kind::ZSetListpack
            | Kind::SetListpack => self.string(&msg::RDB_ITEM_VALUE).await?,
            Kind::HashListpackEx { min_expire } => {
                if min_expire {
                    self.fixed(8).await?;
                }
                self.string(&msg::RDB_ITEM_VALUE).await?;
            }
            Kind::ListSeq | Kind::SetSeq => {
                for _ in 0..self.count(&msg::RDB_ITEM_COLLECTION_LENGTH).await? {
                    self.string(&msg::RDB_ITEM_ELEMENT).await?;
                }
            }
            Kind::ZSetText => {
                for _ in 0..self.count(&msg::RDB_ITEM_ZSET_LENGTH).await? {
                    self.string(&msg::RDB_ITEM_ZSET_MEMBER).await?;
                    self.budget(1)?;
                    let len = self.input.u8().await?;
                    if len < 253 {
                        self.fixed(u64::from(len)).await?;
                    }
                }
            }
            Kind::ZSetBinary => {
                for _ in 0..self.count(&msg::RDB_ITEM_ZSET_LENGTH).await? {
                    self.string(&msg::RDB_ITEM_ZSET_MEMBER).await?;
                    self.fixed(8).await?;
                }
            }
            Kind::HashSeq => {
                for _ in 0..self.count(&msg::RDB_ITEM_HASH_LENGTH).await? {
                    self.string(&msg::RDB_ITEM_HASH_FIELD).await?;
                    self.string(&msg::RDB_ITEM_HASH_VALUE).await?;
                }
            }
            Kind::HashMeta { relative } => {
                if relative {
                    self.fixed(8).await?;
                }
                for _ in 0..self.count(&msg::RDB_ITEM_HASH_LENGTH).await? {
                    self.length(&msg::RDB_ITEM_HASH_FIELD_TTL).await?;
                    self.string(&msg::RDB_ITEM_HASH_FIELD).await?;
                    self.string(&msg::RDB_ITEM_HASH_VALUE).await?;
                }
            }
            Kind::HashValkey => {
                for _ in 0..self.count(&msg::RDB_ITEM_HASH_LENGTH).await? {
                    self.string(&msg::RDB_ITEM_HASH_FIELD).await?;
                    self.string(&msg::RDB_ITEM_HASH_VALUE).await?;
                    self.fixed(8).await?;
                }
            }
            Kind::Quicklist { v2 } => {
                for _ in 0..self.count(&msg::RDB_ITEM_QUICKLIST_NODE_COUNT).await? {
                    if v2 {
                        self.length(&msg::RDB_ITEM_QUICKLIST_NODE_CONTAINER).await?;
                    }
                    self.string(&msg::RDB_ITEM_QUICKLIST_NODE).await?;
                }
            }
            Kind::Stream { version } => self.stream(version).await?,
            Kind::Module2 => {
                let id = self.length(&msg::RDB_ITEM_MODULE_ID).await?;
                skip_opcodes(self.input, &module_name(id)).await?;
            }
            Kind::ModulePreGa => return Err(Stop::Error(self.input.corrupt(Text::new(&msg::RDB_INTERNAL_PRE_GA)))),
        }
        Ok(())
    }

    async fn stream(&mut self, version: u8) -> Result<(), Stop> {
        for _ in 0..self.count(&msg::RDB_ITEM_STREAM_NODE_COUNT).await? {
            self.string(&msg::RDB_ITEM_STREAM_NODE_KEY).await?;
            self.string(&msg::RDB_ITEM_STREAM_LISTPACK).await?;
        }
        // length, last id; v2+: first id, max deleted id, entries added.
        let ids = if version >= 2 { 8 } else { 3 };
        for _ in 0..ids {
            self.length(&msg::RDB_ITEM_STREAM_METADATA).await?;
        }
        for _ in 0..self.count(&msg::RDB_ITEM_STREAM_GROUP_COUNT).await? {
            self.string(&msg::RDB_ITEM_GROUP_NAME).await?;
            self.length(&msg::RDB_ITEM_STREAM_ID).await?;
            self.length(&msg::RDB_ITEM_STREAM_ID).await?;
            if version >= 2 {
                self.length(&msg::RDB_ITEM_GROUP_ENTRIES_READ).await?;
            }
            for _ in 0..self.count(&msg::RDB_ITEM_GROUP_PEL_SIZE).await? {
                self.fixed(16 + 8).await?;
                self.length(&msg::RDB_ITEM_PEL_DELIVERY_COUNT).await?;
            }
            for _ in 0..self.count(&msg::RDB_ITEM_CONSUMER_COUNT).await? {
                self.string(&msg::RDB_ITEM_CONSUMER_NAME).await?;
                self.fixed(if version >= 3 { 16 } else { 8 }).await?;
                let pel = self.count(&msg::RDB_ITEM_CONSUMER_PEL_SIZE).await?;
                self.fixed(pel * 16).await?;
            }
        }
        Ok(())
    }
}
