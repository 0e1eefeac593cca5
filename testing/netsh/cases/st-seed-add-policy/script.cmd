netsh ipsec static add policy name=SecurePolicy description="Policy for securing sensitive traffic" mmpfs=yes qmpermm=50 mmlifetime=28800 activatedefaultrule=no pollinginterval=600 assign=yes mmsecmethods="3DES-SHA1 DHGroup2;AES128-SHA256 DHGroup14"
netsh ipsec static add filterlist name=WebTrafficFilters
netsh ipsec static add filter filterlist=WebTrafficFilters srcaddr=me dstaddr=192.168.1.20
netsh ipsec static add filteraction name=AllowTraffic action=negotiate
netsh ipsec static add rule name=WebServerRule policy=SecurePolicy filterlist=WebTrafficFilters filteraction=AllowTraffic tunnel=no conntype=lan activate=yes description="Secures web server traffic" kerberos=yes psk=yourPreSharedKey
