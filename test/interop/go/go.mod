module puretls/interop

go 1.19
