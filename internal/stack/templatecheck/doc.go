// Package templatecheck holds template.yaml against the code that ships with it. Its tests run
// the SAM translator that cfn-lint ships (transform.py) on the template and assert that each
// function's role grants exactly the AWS actions its code calls, on exactly the resources it
// touches, and that the operational pieces and the outputs a user needs exist.
//
// What each function may do is written down once, in Functions: the action list is checked
// against the code (the SDK operations reachable from the function's main package), the
// resources against the transformed template. Grants Lambda itself uses the role for (the
// asynchronous failure destination) are in PlatformGrants.
package templatecheck
