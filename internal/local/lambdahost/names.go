package lambdahost

import "strings"

// splitFunctionName accepts every form the Invoke API does and returns the
// bare name and the qualifier, if any:
//
//	Name, Name:qualifier,
//	123456789012:function:Name[:qualifier],
//	arn:aws:lambda:us-east-1:123456789012:function:Name[:qualifier]
func splitFunctionName(s string) (name, qualifier string) {
	parts := strings.Split(s, ":")
	switch {
	case len(parts) >= 7 && parts[0] == "arn" && parts[5] == "function":
		parts = parts[6:]
	case len(parts) >= 3 && parts[1] == "function":
		parts = parts[2:]
	}
	if len(parts) > 2 {
		return "", "" // not a form Lambda accepts
	}
	if len(parts) == 2 {
		return parts[0], parts[1]
	}
	return parts[0], ""
}

// qualifierOK reports whether a qualifier names the only version the local
// host runs.
func qualifierOK(q string) bool { return q == "" || q == "$LATEST" }
