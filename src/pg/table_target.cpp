#include "pg/table_target.hpp"

extern "C" {
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/catalog.h"
#include "executor/executor.h"
#include "executor/nodeModifyTable.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "rewrite/rewriteHandler.h"
#include "utils/acl.h"
#include "utils/rel.h"
#include "utils/rls.h"
}

namespace crm::pg {

namespace {

constexpr int kSlots = 1000;  // rows per multi-insert, as COPY uses

bool has_insert_triggers(Relation rel) {
    TriggerDesc* t = rel->trigdesc;
    return t && (t->trig_insert_before_row || t->trig_insert_after_row || t->trig_insert_instead_row ||
                 t->trig_insert_before_statement || t->trig_insert_after_statement || t->trig_insert_new_table);
}

}  // namespace

void target_open(TableTarget* target, Oid relid) {
    Relation rel = table_open(relid, RowExclusiveLock);
    const char* name = RelationGetRelationName(rel);
    const char* hint = "Use INSERT INTO ... SELECT * FROM crm_read_csv(...) (or crm_read_xlsx) for such a target.";
    if (rel->rd_rel->relkind != RELKIND_RELATION)
        ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE),
                        errmsg("crm_load can only load a plain table, and \"%s\" is not one", name), errhint("%s", hint)));
    if (IsCatalogRelation(rel))
        ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE), errmsg("crm_load cannot load a system catalog")));
    if (has_insert_triggers(rel))
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("crm_load does not fire triggers, and \"%s\" has INSERT triggers (or foreign keys)", name),
                        errhint("%s", hint)));
    if (check_enable_rls(relid, InvalidOid, false) == RLS_ENABLED)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("crm_load does not apply row-level security, which \"%s\" has", name),
                        errhint("%s", hint)));
    target->rel = rel;
}

TupleDesc target_desc(const TableTarget* target) { return RelationGetDescr(target->rel); }

void target_prepare_defaults(TableTarget* target, const bool* from_file) {
    Relation rel = target->rel;
    TupleDesc desc = RelationGetDescr(rel);

    // The privilege check the executor would make for INSERT (col1, col2...).
    RangeTblEntry* rte = makeNode(RangeTblEntry);
    rte->rtekind = RTE_RELATION;
    rte->relid = RelationGetRelid(rel);
    rte->relkind = rel->rd_rel->relkind;
    rte->rellockmode = RowExclusiveLock;
    rte->requiredPerms = ACL_INSERT;
    for (int i = 0; i < desc->natts; ++i)
        if (from_file[i])
            rte->insertedCols = bms_add_member(rte->insertedCols, i + 1 - FirstLowInvalidHeapAttributeNumber);
    List* range_table = list_make1(rte);
    ExecCheckRTPerms(range_table, true);

    target->estate = CreateExecutorState();
    ExecInitRangeTable(target->estate, range_table);
    target->result = makeNode(ResultRelInfo);
    ExecInitResultRelation(target->estate, target->result, 1);
    ExecOpenIndices(target->result, false);

    target->default_attnos = static_cast<AttrNumber*>(palloc(sizeof(AttrNumber) * desc->natts));
    target->default_exprs = static_cast<ExprState**>(palloc(sizeof(ExprState*) * desc->natts));
    for (int i = 0; i < desc->natts; ++i) {
        Form_pg_attribute attr = TupleDescAttr(desc, i);
        if (from_file[i] || attr->attisdropped || attr->attgenerated) continue;
        Node* expr = build_column_default(rel, i + 1);
        if (expr == nullptr) continue;
        target->default_attnos[target->ndefaults] = static_cast<AttrNumber>(i);
        target->default_exprs[target->ndefaults] =
            ExecInitExpr(expression_planner(reinterpret_cast<Expr*>(expr)), nullptr);
        ++target->ndefaults;
    }

    target->capacity = kSlots;
    target->slots = static_cast<TupleTableSlot**>(palloc0(sizeof(TupleTableSlot*) * kSlots));
    target->bulk = GetBulkInsertState();
    target->command = GetCurrentCommandId(true);
}

void target_put(TableTarget* target, const Datum* values, const bool* nulls) {
    if (target->used == target->capacity) target_flush(target);
    TupleDesc desc = RelationGetDescr(target->rel);
    TupleTableSlot*& slot = target->slots[target->used];
    if (slot == nullptr) {
        // Slots (and the tuples materialised in them) outlive the caller's
        // batch context: they live in the executor state's query context.
        MemoryContext old = MemoryContextSwitchTo(target->estate->es_query_cxt);
        slot = table_slot_create(target->rel, nullptr);
        MemoryContextSwitchTo(old);
    }
    ExecClearTuple(slot);
    memcpy(slot->tts_values, values, sizeof(Datum) * desc->natts);
    memcpy(slot->tts_isnull, nulls, sizeof(bool) * desc->natts);
    if (target->ndefaults > 0) {
        ExprContext* econtext = GetPerTupleExprContext(target->estate);
        for (int d = 0; d < target->ndefaults; ++d) {
            AttrNumber i = target->default_attnos[d];
            slot->tts_values[i] = ExecEvalExpr(target->default_exprs[d], econtext, &slot->tts_isnull[i]);
        }
    }
    ExecStoreVirtualTuple(slot);
    if (desc->constr && desc->constr->has_generated_stored)
        ExecComputeStoredGenerated(target->result, target->estate, slot, CMD_INSERT);
    if (desc->constr) ExecConstraints(target->result, slot, target->estate);
    // The values live in a batch context the caller resets: copy them now.
    ExecMaterializeSlot(slot);
    ResetPerTupleExprContext(target->estate);
    ++target->used;
}

void target_flush(TableTarget* target) {
    if (target->used == 0) return;
    table_multi_insert(target->rel, target->slots, target->used, target->command, 0, target->bulk);
    if (target->result->ri_NumIndices > 0) {
        for (int i = 0; i < target->used; ++i) {
            List* recheck = ExecInsertIndexTuples(target->result, target->slots[i], target->estate, false, false,
                                                  nullptr, NIL);
            list_free(recheck);
            ResetPerTupleExprContext(target->estate);
        }
    }
    for (int i = 0; i < target->used; ++i) ExecClearTuple(target->slots[i]);
    target->inserted += static_cast<uint64>(target->used);
    target->used = 0;
}

void target_close(TableTarget* target) {
    target_flush(target);
    if (target->bulk) {
        FreeBulkInsertState(target->bulk);
        table_finish_bulk_insert(target->rel, 0);
    }
    for (int i = 0; i < target->capacity; ++i)
        if (target->slots && target->slots[i]) ExecDropSingleTupleTableSlot(target->slots[i]);
    if (target->estate) {
        ExecCloseResultRelations(target->estate);  // closes the indices too
        ExecCloseRangeTableRelations(target->estate);
        FreeExecutorState(target->estate);
    }
    table_close(target->rel, NoLock);  // the lock is kept until the end of the transaction
    uint64 inserted = target->inserted;
    *target = TableTarget{};
    target->inserted = inserted;
}

}  // namespace crm::pg
