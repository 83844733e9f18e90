// Package storetest is the conformance suite of [store.Store]: every
// implementation passes [RunTests] and [RunConcurrencyTests]. It is
// imported by _test.go files only.
//
// The suite is split by entity, one file per noun as in the rest of
// Gatehouse; tx.go checks transactions and concurrency.go runs real
// goroutines against one store. Each subtest gets a fresh, empty, migrated
// store from the caller. The suite owns no database: it knows the store
// only through its interfaces.
package storetest
