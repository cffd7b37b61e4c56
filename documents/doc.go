// Package documents turns agreement texts into their canonical bytes,
// compares versions and (later) typesets them.
package documents
