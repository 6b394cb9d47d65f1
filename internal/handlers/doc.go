// Package handlers holds the Lambda handlers of the three functions: Connect ($connect),
// Disconnect ($disconnect) and Emit (invoked directly by agents). Each is a struct whose
// dependencies are small interfaces, so tests call Handle with real event JSON and real
// servers behind those interfaces. Errors that leave the system are mapped in errors.go only.
package handlers
