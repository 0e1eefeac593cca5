netsh ipsec dynamic add mmpolicy name="MyMM-Policy" qmpermm=100 mmlifetime=4800 softsaexpirationtime=1800 mmsecmethods="3DES-SHA1"
netsh ipsec dynamic add qmpolicy name="MyQM-Policy" soft=yes pfsgroup=GRP2 qmsecmethods="ESP:3DES-SHA1 ESP:AES128-SHA256"
netsh ipsec dynamic add mmpolicy name=MainModePolicy
netsh ipsec dynamic add qmpolicy name=QuickModePolicy
netsh ipsec dynamic add rule srcaddr=192.168.1.10 dstaddr=192.168.1.20 mmpolicy="MainModePolicy" qmpolicy="QuickModePolicy" protocol=TCP srcport=80 dstport=80 mirrored=no conntype=lan actioninbound=permit actionoutbound=permit
netsh ipsec dynamic add rule srcaddr=me dstaddr=192.168.1.30 mmpolicy="MyMM-Policy" qmpolicy="MyQM-Policy" psk=dyn
