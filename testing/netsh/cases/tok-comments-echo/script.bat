@echo off
REM netsh ipsec static add policy name=Commented1
rem netsh ipsec static add policy name=Commented2
:: netsh ipsec static add policy name=Commented3
# netsh ipsec static add policy name=Commented4
echo netsh ipsec static add policy name=Echoed
Echo.
Write-Host "netsh ipsec static add policy name=InAString"
netsh ipsec static add policy name=Real
